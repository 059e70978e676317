import { BerthError } from '../core/errors.js';
import type { OpenContext, OpenedStream } from './stream-kinds.js';

export function openBuild(_ctx: OpenContext): Promise<OpenedStream> {
  return Promise.reject(new BerthError('not_implemented', 'This agent does not serve build streams yet.'));
}
