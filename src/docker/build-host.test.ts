import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBuildHost, type BuildHostView } from './build-host.js';

const host = (name: string, o: Partial<BuildHostView> = {}): BuildHostView =>
  ({ id: name, name, enabled: true, up: true, local: false, freeMemoryMb: 1024, ...o });

test('chooseBuildHost', () => {
  const cases: { name: string; given: BuildHostView[]; want: string | undefined }[] = [
    { name: 'no hosts', given: [], want: undefined },
    { name: 'disabled or down only', given: [host('a', { enabled: false }), host('b', { up: false })], want: undefined },
    { name: 'connected here although its heartbeat is late', given: [host('a', { up: false, local: true })], want: 'a' },
    { name: 'connected here first', given: [host('a', { freeMemoryMb: 9000 }), host('b', { local: true })], want: 'b' },
    { name: 'most free memory', given: [host('a'), host('b', { freeMemoryMb: 4096 })], want: 'b' },
    { name: 'by name on a tie', given: [host('b'), host('a')], want: 'a' },
  ];
  for (const c of cases) assert.equal(chooseBuildHost(c.given)?.id, c.want, c.name);
});
