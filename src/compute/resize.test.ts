import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResize, checkResizeDecision, resizeEnd } from './resize.js';
import type { ServerState } from './status.js';

const st = (vmState: string, taskState: string | null = null): ServerState => ({ status: 'X', vmState, taskState, powerState: 0 });
const tiny = { id: '1', vcpus: 1, ram: 512, disk: 1 };
const small = { id: '2', vcpus: 1, ram: 2048, disk: 20 };
const micro = { id: 'c1.micro', vcpus: 1, ram: 64, disk: 0 };

const cases: { name: string; state: ServerState; from?: typeof tiny; to: typeof tiny; want: string | null }[] = [
  { name: 'active to a bigger flavor', state: st('active'), from: tiny, to: small, want: null },
  { name: 'stopped to a bigger flavor', state: st('stopped'), from: tiny, to: small, want: null },
  { name: 'paused', state: st('paused'), from: tiny, to: small, want: "conflict:Cannot 'resize' instance u while it is in vm_state paused" },
  { name: 'resized, not confirmed', state: st('resized'), from: small, to: tiny, want: "conflict:Cannot 'resize' instance u while it is in vm_state resized" },
  { name: 'a task under way', state: st('active', 'rebooting'), from: tiny, to: small, want: "conflict:Cannot 'resize' instance u while it is in task_state rebooting" },
  { name: 'same flavor', state: st('active'), from: tiny, to: tiny, want: 'bad_request:When resizing, instances must change flavor!' },
  { name: 'disk down', state: st('active'), from: tiny, to: micro, want: 'bad_request:Resize error: Unable to resize disk down.' },
  { name: 'no known flavor before', state: st('active'), to: micro, want: null },
];

for (const c of cases) {
  test(`resize: ${c.name}`, () => {
    let got: string | null = null;
    try {
      checkResize('u', c.state, c.from, c.to);
    } catch (e) {
      got = `${(e as { code: string }).code}:${(e as Error).message}`;
    }
    assert.equal(got, c.want);
  });
}

test('confirm and revert need vm_state resized', () => {
  assert.doesNotThrow(() => checkResizeDecision('confirmResize', 'u', st('resized')));
  assert.throws(() => checkResizeDecision('revertResize', 'u', st('active')), /Cannot 'revertResize' instance u while it is in vm_state active/);
});

test('the end of a resize: in place or moved, confirmed or reverted', () => {
  const hold = { hostId: 'h-a' };
  const cases: [string, 'confirmResize' | 'revertResize', string | null, typeof hold | undefined, unknown][] = [
    ['no resize recorded', 'confirmResize', null, undefined, { kind: 'nothing' }],
    ['no resize recorded, revert', 'revertResize', null, hold, { kind: 'nothing' }],
    ['in place, confirm', 'confirmResize', '1', undefined, { kind: 'keep' }],
    ['in place, revert', 'revertResize', '1', undefined, { kind: 'restore', flavorId: '1' }],
    ['moved, confirm', 'confirmResize', '1', hold, { kind: 'release', hold }],
    ['moved, revert', 'revertResize', '1', hold, { kind: 'move_back', hold, flavorId: '1' }],
  ];
  for (const [name, action, from, h, want] of cases) assert.deepEqual(resizeEnd(action, from, h), want, name);
});
