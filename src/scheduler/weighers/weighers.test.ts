import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { host, req } from '../builders.js';
import type { HostView, PlacementRequest, Weigher } from '../types.js';
import { binpackWeigher } from './binpack.js';
import { STRATEGIES, weigh } from './index.js';
import { share } from './share.js';
import { usageWeigher } from './usage.js';

interface Case {
  name: string;
  given: { req: PlacementRequest; host: HostView };
  want: number;
}

const table: Array<[Weigher, Case[]]> = [
  [usageWeigher, [
    { name: 'empty host', given: { req: req(), host: host() }, want: 0 },
    { name: 'dominant is memory', given: { req: req(), host: host({ cpu: 8, memoryMb: 8192, used: { cpu: 2, memoryMb: 6144 } }) }, want: 0.75 },
    { name: 'dominant is container count', given: { req: req(), host: host({ containers: 4, used: { containers: 2, cpu: 1 } }) }, want: 0.5 },
    { name: 'request does not matter', given: { req: req({ cpu: 8 }), host: host({ used: { cpu: 2 } }) }, want: 0.25 },
    { name: 'overcommitted clamps to 1', given: { req: req(), host: host({ cpu: 4, used: { cpu: 6 } }) }, want: 1 },
  ]],
  [binpackWeigher, [
    { name: 'empty host, request takes a quarter of memory', given: { req: req({ cpu: 1, memoryMb: 2048 }), host: host() }, want: 0.25 },
    { name: 'counts the request', given: { req: req({ cpu: 2, memoryMb: 0, diskGb: 0 }), host: host({ used: { cpu: 4 } }) }, want: 0.75 },
    { name: 'container slot counts', given: { req: req({ cpu: 0, memoryMb: 0, diskGb: 0 }), host: host({ containers: 2, used: { containers: 1 } }) }, want: 1 },
    { name: 'does not fit clamps to 1', given: { req: req({ cpu: 16 }), host: host() }, want: 1 },
  ]],
];

for (const [weigher, cases] of table) {
  describe(`weigher ${weigher.name}`, () => {
    for (const c of cases) {
      test(c.name, () => assert.equal(weigher.weigh(c.given.req, c.given.host), c.want));
    }
  });
}

describe('share', () => {
  const cases = [
    { name: 'half', given: [2, 4], want: 0.5 },
    { name: 'zero capacity, nothing used', given: [0, 0], want: 0 },
    { name: 'zero capacity, something used', given: [1, 0], want: 1 },
    { name: 'negative usage clamps to 0', given: [-1, 4], want: 0 },
    { name: 'over capacity clamps to 1', given: [5, 4], want: 1 },
  ] as const;
  for (const c of cases) test(c.name, () => assert.equal(share(c.given[0], c.given[1]), c.want));
});

describe('strategies', () => {
  const busy = host({ used: { cpu: 6 } });
  const cases = [
    { name: 'fill-first prefers the used host', given: 'fill-first', want: 0.75 },
    { name: 'spread prefers the free host', given: 'spread', want: -0.75 },
    { name: 'binpack weighs after placement', given: 'binpack', want: 0.875 },
  ] as const;
  for (const c of cases) {
    test(c.name, () => assert.equal(weigh(STRATEGIES[c.given], req({ cpu: 1, memoryMb: 0 }), busy), c.want));
  }

  test('every weight stays within -1..1 per multiplier', () => {
    for (const uses of Object.values(STRATEGIES)) {
      const bound = uses.reduce((n, u) => n + Math.abs(u.multiplier), 0);
      for (const h of [host(), busy, host({ cpu: 0, used: { cpu: 1 } })]) {
        assert.ok(Math.abs(weigh(uses, req(), h)) <= bound);
      }
    }
  });
});
