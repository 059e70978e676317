import { deepStrictEqual, throws } from 'node:assert/strict';
import { test } from 'node:test';
import { BerthError } from '../core/errors.js';
import { commitTarget } from './commit.js';

const ok: { name: string; given: [string, string | undefined]; want: { repository: string; tag: string } }[] = [
  { name: 'no tag: latest, as Zun', given: ['snap', undefined], want: { repository: 'snap', tag: 'latest' } },
  { name: 'an empty tag: latest', given: ['snap', ''], want: { repository: 'snap', tag: 'latest' } },
  { name: 'path and separators', given: ['team/my_app-1.x', 'v1.2-rc_3'], want: { repository: 'team/my_app-1.x', tag: 'v1.2-rc_3' } },
];
for (const c of ok) test(`commitTarget: ${c.name}`, () => deepStrictEqual(commitTarget(...c.given), c.want));

const refused: { name: string; given: [string, string | undefined] }[] = [
  { name: 'uppercase repository', given: ['Snap', undefined] },
  { name: 'repository ending in a separator', given: ['snap-', undefined] },
  { name: 'empty path component', given: ['a//b', undefined] },
  { name: 'tag starting with a dash', given: ['snap', '-x'] },
  { name: 'tag too long', given: ['snap', 'x'.repeat(129)] },
];
for (const c of refused) {
  test(`commitTarget refuses: ${c.name}`, () => throws(() => commitTarget(...c.given), (e) => e instanceof BerthError && e.status === 400));
}
