import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerthError } from '../core/errors.js';
import { ImageDeleted } from './commit.js';
import { snapshotOutcome, snapshotProperties } from './snapshot.js';

describe('snapshotProperties', () => {
  const cases: { name: string; given: Record<string, string>; want: Record<string, string> }[] = [
    { name: "Nova's properties", given: {}, want: { image_type: 'snapshot', instance_uuid: 'u1' } },
    { name: "the caller's metadata kept", given: { a: 'b' }, want: { image_type: 'snapshot', instance_uuid: 'u1', a: 'b' } },
    { name: "a caller's image_type wins", given: { image_type: 'test' }, want: { image_type: 'test', instance_uuid: 'u1' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(snapshotProperties('u1', c.given), c.want));
});

describe('snapshotOutcome', () => {
  const cases: { name: string; error: unknown; want: ReturnType<typeof snapshotOutcome> }[] = [
    { name: 'done', error: undefined, want: { result: 'Success' } },
    { name: 'its image deleted meanwhile: cancelled, not an error', error: new ImageDeleted('i1'), want: { result: 'Success' } },
    { name: 'failed', error: new BerthError('host_unreachable', 'gone'), want: { result: 'Error', message: 'gone' } },
    { name: 'failed with a non-error', error: 'boom', want: { result: 'Error', message: 'boom' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(snapshotOutcome(c.error), c.want));
});
