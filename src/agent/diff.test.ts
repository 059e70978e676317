import { deepStrictEqual } from 'node:assert/strict';
import { test } from 'node:test';
import { diff, type Applied, type Step } from './diff.js';
import { desired, state } from './builders.js';
import type { DesiredContainer } from './protocol.js';
import type { EngineState } from '../engine/index.js';

const at = (generation: number, restartGeneration = 0, engineId: string | null = null): Applied => ({ generation, restartGeneration, engineId });

const cases: { name: string; given: [DesiredContainer, EngineState | null, Applied]; want: Step[] }[] = [
  // deletion
  { name: 'deleted and present → force remove', given: [desired({ desired: 'deleted', generation: 2 }), state(), at(1)], want: [{ kind: 'remove', force: true }] },
  { name: 'deleted even without a generation bump → remove', given: [desired({ desired: 'deleted', generation: 2 }), state({ status: 'exited' }), at(2)], want: [{ kind: 'remove', force: true }] },
  { name: 'deleted and absent → nothing', given: [desired({ desired: 'deleted', generation: 2 }), null, at(1)], want: [] },

  // missing from the engine
  { name: 'new, running → create + start', given: [desired(), null, at(0)], want: [{ kind: 'create' }, { kind: 'start' }] },
  { name: 'new, stopped → create only', given: [desired({ desired: 'stopped' }), null, at(0)], want: [{ kind: 'create' }] },
  { name: 'new, paused → create + start + pause', given: [desired({ desired: 'paused' }), null, at(0)], want: [{ kind: 'create' }, { kind: 'start' }, { kind: 'pause' }] },
  { name: 'removed out of band, same generation → create + start', given: [desired({ engineId: 'e1' }), null, at(1, 0, 'e1')], want: [{ kind: 'create' }, { kind: 'start' }] },
  { name: 'auto-removed after exit, same generation → nothing', given: [desired({ engineId: 'e1' }, { autoRemove: true }), null, at(1, 0, 'e1')], want: [] },
  { name: 'auto-remove never created → create + start', given: [desired({}, { autoRemove: true }), null, at(0)], want: [{ kind: 'create' }, { kind: 'start' }] },
  { name: 'auto-removed, then started again (generation bumped) → create + start', given: [desired({ generation: 2, engineId: 'e1' }, { autoRemove: true }), null, at(1, 0, 'e1')], want: [{ kind: 'create' }, { kind: 'start' }] },

  // rebuild: a new berth.rebuild count with the generation replaces the engine container
  { name: 'rebuilt, generation bumped → remove + create + start', given: [desired({ generation: 2 }, { labels: { 'berth.rebuild': '1' } }), state(), at(1)], want: [{ kind: 'remove', force: true }, { kind: 'create' }, { kind: 'start' }] },
  { name: 'rebuilt while stopped → remove + create', given: [desired({ generation: 2, desired: 'stopped' }, { labels: { 'berth.rebuild': '1' } }), state({ status: 'exited' }), at(1)], want: [{ kind: 'remove', force: true }, { kind: 'create' }] },
  { name: 'rebuild count already applied → nothing', given: [desired({}, { labels: { 'berth.rebuild': '1' } }), state({ labels: { 'berth.rebuild': '1' } }), at(1)], want: [] },

  // same generation: observe only
  { name: 'exited on its own, same generation → nothing', given: [desired(), state({ status: 'exited', exitCode: 1 }), at(1)], want: [] },
  { name: 'stopped out of band, same generation → nothing', given: [desired(), state({ status: 'exited', exitCode: 137 }), at(1)], want: [] },
  { name: 'paused out of band, same generation → nothing', given: [desired(), state({ status: 'paused' }), at(1)], want: [] },
  { name: 'already applied by the server (appliedGeneration) → nothing', given: [desired({ generation: 3, appliedGeneration: 3 }), state({ status: 'exited' }), at(3)], want: [] },

  // resize: new limits in the spec
  { name: 'bumped, new limits, running → update', given: [desired({ generation: 2 }, { cpu: 2, memoryMb: 256 }), state({ cpu: 1, memoryMb: 64 }), at(1)], want: [{ kind: 'update', cpu: 2, memoryMb: 256 }] },
  { name: 'bumped, new limits, stopped wanted, running → update + stop', given: [desired({ desired: 'stopped', generation: 2 }, { cpu: 2 }), state({ cpu: 1, memoryMb: 64 }), at(1)], want: [{ kind: 'update', cpu: 2, memoryMb: 64 }, { kind: 'stop' }] },
  { name: 'bumped, same limits → no update', given: [desired({ generation: 2 }), state({ cpu: 1, memoryMb: 64 }), at(1)], want: [] },
  { name: 'new limits not bumped (already applied) → nothing', given: [desired({ generation: 2 }, { cpu: 2 }), state({ cpu: 1, memoryMb: 64 }), at(2)], want: [] },

  // generation bumped: converge
  { name: 'bumped, running wanted, exited → start', given: [desired({ generation: 2 }), state({ status: 'exited' }), at(1)], want: [{ kind: 'start' }] },
  { name: 'bumped, running wanted, created → start', given: [desired({ generation: 2 }), state({ status: 'created' }), at(1)], want: [{ kind: 'start' }] },
  { name: 'bumped, running wanted, paused → unpause', given: [desired({ generation: 2 }), state({ status: 'paused' }), at(1)], want: [{ kind: 'unpause' }] },
  { name: 'bumped, running wanted, running → nothing', given: [desired({ generation: 2 }), state(), at(1)], want: [] },
  { name: 'bumped, stopped wanted, running → stop', given: [desired({ desired: 'stopped', generation: 2 }), state(), at(1)], want: [{ kind: 'stop' }] },
  { name: 'stop carries the spec timeout', given: [desired({ desired: 'stopped', generation: 2 }, { stopTimeout: 3 }), state(), at(1)], want: [{ kind: 'stop', timeoutSec: 3 }] },
  { name: 'bumped, stopped wanted, paused → unpause + stop', given: [desired({ desired: 'stopped', generation: 2 }), state({ status: 'paused' }), at(1)], want: [{ kind: 'unpause' }, { kind: 'stop' }] },
  { name: 'bumped, stopped wanted, restarting → stop', given: [desired({ desired: 'stopped', generation: 2 }), state({ status: 'restarting' }), at(1)], want: [{ kind: 'stop' }] },
  { name: 'bumped, stopped wanted, exited → nothing', given: [desired({ desired: 'stopped', generation: 2 }), state({ status: 'exited' }), at(1)], want: [] },
  { name: 'bumped, stopped wanted, created → nothing', given: [desired({ desired: 'stopped', generation: 2 }), state({ status: 'created' }), at(1)], want: [] },
  { name: 'bumped, paused wanted, running → pause', given: [desired({ desired: 'paused', generation: 2 }), state(), at(1)], want: [{ kind: 'pause' }] },
  { name: 'bumped, paused wanted, exited → start + pause', given: [desired({ desired: 'paused', generation: 2 }), state({ status: 'exited' }), at(1)], want: [{ kind: 'start' }, { kind: 'pause' }] },
  { name: 'bumped, paused wanted, paused → nothing', given: [desired({ desired: 'paused', generation: 2 }), state({ status: 'paused' }), at(1)], want: [] },
  { name: 'applied generation ahead of the desired one → nothing', given: [desired({ desired: 'stopped', generation: 2 }), state(), at(5)], want: [] },

  // restart generation
  { name: 'restart bumped, running → restart', given: [desired({ restartGeneration: 1 }), state(), at(1, 0)], want: [{ kind: 'restart' }] },
  { name: 'restart carries the spec timeout', given: [desired({ restartGeneration: 1 }, { stopTimeout: 2 }), state(), at(1, 0)], want: [{ kind: 'restart', timeoutSec: 2 }] },
  { name: 'restart bumped, exited → restart', given: [desired({ restartGeneration: 1 }), state({ status: 'exited' }), at(1, 0)], want: [{ kind: 'restart' }] },
  { name: 'restart bumped, created → start', given: [desired({ restartGeneration: 1 }), state({ status: 'created' }), at(1, 0)], want: [{ kind: 'start' }] },
  { name: 'restart bumped, paused → unpause + restart', given: [desired({ restartGeneration: 1 }), state({ status: 'paused' }), at(1, 0)], want: [{ kind: 'unpause' }, { kind: 'restart' }] },
  { name: 'restart and generation bumped, exited → one start', given: [desired({ generation: 2, restartGeneration: 1 }), state({ status: 'exited' }), at(1, 0)], want: [{ kind: 'start' }] },
  { name: 'restart already applied → nothing', given: [desired({ restartGeneration: 1 }), state(), at(1, 1)], want: [] },
  { name: 'restart applied by the server (appliedRestartGeneration) → nothing', given: [desired({ restartGeneration: 1, appliedRestartGeneration: 1 }), state(), at(1, 1)], want: [] },
  { name: 'restart bumped but stopped wanted → nothing', given: [desired({ desired: 'stopped', restartGeneration: 1 }), state({ status: 'exited' }), at(1, 0)], want: [] },
  { name: 'restart bumped, missing → create + start only', given: [desired({ restartGeneration: 1 }), null, at(1, 0)], want: [{ kind: 'create' }, { kind: 'start' }] },
];

for (const c of cases) {
  test(`diff: ${c.name}`, () => {
    deepStrictEqual(diff(...c.given), c.want);
  });
}
