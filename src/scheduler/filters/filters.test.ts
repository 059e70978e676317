import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { host, req } from '../builders.js';
import type { Filter, HostView, PlacementRequest } from '../types.js';
import { containerCountFilter } from './container-count.js';
import { cpuFilter } from './cpu.js';
import { diskFilter } from './disk.js';
import { hintsFilter } from './hints.js';
import { hostEnabledFilter } from './host-enabled.js';
import { hostUpFilter } from './host-up.js';
import { FILTERS, firstFailure, passesAll } from './index.js';
import { labelsFilter } from './labels.js';
import { memoryFilter } from './memory.js';
import { runtimeFilter } from './runtime.js';
import { zoneFilter } from './zone.js';

/** `want` is true for a pass, or the rejection reason. */
interface Case {
  name: string;
  given: { req: PlacementRequest; host: HostView };
  want: true | string;
}

const table: Array<[Filter, Case[]]> = [
  [hostUpFilter, [
    { name: 'up', given: { req: req(), host: host() }, want: true },
    { name: 'down', given: { req: req(), host: host({ up: false }) }, want: 'down' },
  ]],
  [hostEnabledFilter, [
    { name: 'enabled', given: { req: req(), host: host() }, want: true },
    { name: 'disabled', given: { req: req(), host: host({ enabled: false }) }, want: 'disabled' },
  ]],
  [zoneFilter, [
    { name: 'no zone asked', given: { req: req(), host: host({ zone: 'az2' }) }, want: true },
    { name: 'same zone', given: { req: req({ zone: 'az1' }), host: host({ zone: 'az1' }) }, want: true },
    { name: 'other zone', given: { req: req({ zone: 'az1' }), host: host({ zone: 'az2' }) }, want: 'not in zone az1' },
  ]],
  [runtimeFilter, [
    { name: 'no runtime asked', given: { req: req(), host: host({ runtimes: [] }) }, want: true },
    { name: 'offered', given: { req: req({ runtime: 'kata' }), host: host({ runtimes: ['runc', 'kata'] }) }, want: true },
    { name: 'missing', given: { req: req({ runtime: 'kata' }), host: host() }, want: 'lack runtime kata' },
  ]],
  [labelsFilter, [
    { name: 'no labels asked', given: { req: req(), host: host() }, want: true },
    { name: 'empty labels asked', given: { req: req({ labels: {} }), host: host() }, want: true },
    { name: 'carried', given: { req: req({ labels: { gpu: 'yes' } }), host: host({ labels: { gpu: 'yes', ssd: 'no' } }) }, want: true },
    { name: 'other value', given: { req: req({ labels: { gpu: 'yes' } }), host: host({ labels: { gpu: 'no' } }) }, want: 'lack labels gpu=yes' },
    { name: 'one of two missing', given: { req: req({ labels: { gpu: 'yes', ssd: 'yes' } }), host: host({ labels: { gpu: 'yes' } }) }, want: 'lack labels gpu=yes, ssd=yes' },
    { name: 'prototype name is not a label', given: { req: req({ labels: { toString: 'x' } }), host: host() }, want: 'lack labels toString=x' },
  ]],
  [hintsFilter, [
    { name: 'no hints', given: { req: req(), host: host() }, want: true },
    { name: 'pinned here', given: { req: req({ hints: { host: 'host-1' } }), host: host() }, want: true },
    { name: 'pinned elsewhere', given: { req: req({ hints: { host: 'host-2' } }), host: host() }, want: 'not the requested host host-2' },
    { name: 'same_host holds all', given: { req: req({ hints: { sameHost: ['a', 'b'] } }), host: host({ containerIds: ['b', 'c', 'a'] }) }, want: true },
    { name: 'same_host holds one of two', given: { req: req({ hints: { sameHost: ['a', 'b'] } }), host: host({ containerIds: ['a'] }) }, want: 'do not hold all of containers a, b (same_host)' },
    { name: 'same_host empty list', given: { req: req({ hints: { sameHost: [] } }), host: host() }, want: true },
    { name: 'different_host holds none', given: { req: req({ hints: { differentHost: ['a'] } }), host: host({ containerIds: ['b'] }) }, want: true },
    { name: 'different_host holds one', given: { req: req({ hints: { differentHost: ['a', 'b'] } }), host: host({ containerIds: ['b'] }) }, want: 'hold one of containers a, b (different_host)' },
    { name: 'pin checked before affinity', given: { req: req({ hints: { host: 'x', sameHost: ['a'] } }), host: host() }, want: 'not the requested host x' },
  ]],
  [cpuFilter, [
    { name: 'fits exactly', given: { req: req({ cpu: 2 }), host: host({ cpu: 4, used: { cpu: 2 } }) }, want: true },
    { name: 'fractional', given: { req: req({ cpu: 0.5 }), host: host({ cpu: 1, used: { cpu: 0.5 } }) }, want: true },
    { name: 'short', given: { req: req({ cpu: 2 }), host: host({ cpu: 4, used: { cpu: 2.5 } }) }, want: 'lack cpu (need 2 vCPU)' },
    { name: 'overcommitted host', given: { req: req({ cpu: 0 }), host: host({ cpu: 4, used: { cpu: 5 } }) }, want: 'lack cpu (need 0 vCPU)' },
  ]],
  [memoryFilter, [
    { name: 'fits exactly', given: { req: req({ memoryMb: 4096 }), host: host({ memoryMb: 4096 }) }, want: true },
    { name: 'short', given: { req: req({ memoryMb: 512 }), host: host({ memoryMb: 4096, used: { memoryMb: 3700 } }) }, want: 'lack memory (need 512 MB)' },
  ]],
  [diskFilter, [
    { name: 'fits', given: { req: req({ diskGb: 10 }), host: host({ diskGb: 20, used: { diskGb: 10 } }) }, want: true },
    { name: 'short', given: { req: req({ diskGb: 10 }), host: host({ diskGb: 20, used: { diskGb: 11 } }) }, want: 'lack disk (need 10 GB)' },
    { name: 'no disk asked, none left', given: { req: req({ diskGb: 0 }), host: host({ diskGb: 0 }) }, want: true },
  ]],
  [containerCountFilter, [
    { name: 'room for one more', given: { req: req(), host: host({ containers: 3, used: { containers: 2 } }) }, want: true },
    { name: 'at the limit', given: { req: req(), host: host({ containers: 3, used: { containers: 3 } }) }, want: 'at their container limit' },
    { name: 'no containers allowed', given: { req: req(), host: host({ containers: 0 }) }, want: 'at their container limit' },
  ]],
];

for (const [filter, cases] of table) {
  describe(`filter ${filter.name}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const got = filter.test(c.given.req, c.given.host);
        assert.deepEqual(got, c.want === true ? { ok: true } : { ok: false, reason: c.want });
      });
    }
  });
}

describe('filter list', () => {
  test('every filter is in the list once, structural checks before capacity', () => {
    assert.deepEqual(
      FILTERS.map((f) => f.name),
      ['host-up', 'host-enabled', 'zone', 'runtime', 'labels', 'hints', 'cpu', 'memory', 'disk', 'container-count'],
    );
    assert.equal(new Set(FILTERS.map((f) => f.name)).size, table.length);
  });

  test('firstFailure names the first filter that fails', () => {
    const got = firstFailure(req({ memoryMb: 1 << 20 }), host({ enabled: false }));
    assert.equal(got?.filter.name, 'host-enabled');
    assert.equal(firstFailure(req(), host()), undefined);
  });

  test('passesAll', () => {
    assert.equal(passesAll(req(), host()), true);
    assert.equal(passesAll(req({ diskGb: 101 }), host()), false);
  });
});
