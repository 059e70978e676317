import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claimOn, host, hosts, req } from './builders.js';
import { describeRejections, place } from './index.js';
import type { HostView, PlacementRequest, Rejection, Strategy } from './types.js';

/** Places `n` copies of the request one after another, claiming each, and returns the host names. */
function placeMany(fleet: HostView[], r: PlacementRequest, n: number, strategy?: Strategy): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = place(r, fleet, { strategy });
    if (!p.ok) {
      names.push('-');
      continue;
    }
    names.push(p.host.name);
    claimOn(p.host, r);
  }
  return names;
}

function chosen(r: PlacementRequest, fleet: HostView[], strategy?: Strategy): string {
  const p = place(r, fleet, { strategy });
  return p.ok ? p.host.name : '-';
}

describe('fill-first', () => {
  test('fills host-1 until full, then host-2, then nothing', () => {
    const got = placeMany(hosts(3, { cpu: 4 }), req({ cpu: 1 }), 13);
    assert.deepEqual(got, [...Array(4).fill('host-1'), ...Array(4).fill('host-2'), ...Array(4).fill('host-3'), '-']);
  });

  test('is the default strategy', () => {
    assert.deepEqual(placeMany(hosts(2), req(), 2), ['host-1', 'host-1']);
  });

  test('an empty fleet fills in natural name order, whatever the input order', () => {
    const fleet = [host({ name: 'host-10' }), host({ name: 'host-2' }), host({ name: 'host-1' })];
    assert.equal(chosen(req(), fleet), 'host-1');
    assert.equal(chosen(req(), fleet.slice(0, 2)), 'host-2');
  });

  test('a request too big for the filling host opens the next, small ones go back to the fuller host', () => {
    const fleet = hosts(3, { cpu: 4 });
    assert.deepEqual(placeMany(fleet, req({ cpu: 3 }), 1), ['host-1']);
    assert.deepEqual(placeMany(fleet, req({ cpu: 2 }), 1), ['host-2']);
    assert.deepEqual(placeMany(fleet, req({ cpu: 1 }), 2), ['host-1', 'host-2']);
  });

  const cases: Array<{ name: string; given: HostView[]; want: string }> = [
    { name: 'most used wins', given: [host({ name: 'a' }), host({ name: 'b', used: { cpu: 2 } })], want: 'b' },
    { name: 'equal usage: first by name', given: [host({ name: 'b', used: { cpu: 2 } }), host({ name: 'a', used: { memoryMb: 2048 } })], want: 'a' },
    { name: 'equal name: first by id', given: [host({ name: 'h', id: 'y' }), host({ name: 'h', id: 'x' })], want: 'h' },
    { name: 'most used but full: skipped', given: [host({ name: 'a', used: { cpu: 1 } }), host({ name: 'b', used: { cpu: 8 } })], want: 'a' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(chosen(req(), c.given), c.want));

  test('name tie resolves to the smaller id', () => {
    const p = place(req(), [host({ name: 'h', id: 'y' }), host({ name: 'h', id: 'x' })]);
    assert.equal(p.ok && p.host.id, 'x');
  });
});

describe('spread', () => {
  test('alternates over equal hosts', () => {
    assert.deepEqual(placeMany(hosts(2), req(), 4, 'spread'), ['host-1', 'host-2', 'host-1', 'host-2']);
  });

  test('goes round three hosts', () => {
    assert.deepEqual(placeMany(hosts(3), req(), 6, 'spread'), ['host-1', 'host-2', 'host-3', 'host-1', 'host-2', 'host-3']);
  });

  const cases: Array<{ name: string; given: HostView[]; want: string }> = [
    { name: 'least used wins', given: [host({ name: 'a', used: { cpu: 1 } }), host({ name: 'b' })], want: 'b' },
    { name: 'dominant share decides', given: [host({ name: 'a', used: { memoryMb: 4096 } }), host({ name: 'b', used: { cpu: 2 } })], want: 'b' },
    { name: 'ties: first by name', given: [host({ name: 'b' }), host({ name: 'a' })], want: 'a' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(chosen(req(), c.given, 'spread'), c.want));
});

describe('binpack', () => {
  const cases: Array<{ name: string; given: { req: PlacementRequest; hosts: HostView[] }; want: string }> = [
    {
      name: 'the host left with least room after placement',
      given: { req: req({ cpu: 2, memoryMb: 0 }), hosts: [host({ name: 'a', used: { cpu: 2 } }), host({ name: 'b', used: { cpu: 5 } })] },
      want: 'b',
    },
    {
      name: 'small host beats big empty one',
      given: { req: req({ cpu: 2, memoryMb: 0 }), hosts: [host({ name: 'big', cpu: 64 }), host({ name: 'small', cpu: 2 })] },
      want: 'small',
    },
    {
      name: 'dominant resource after placement, not before',
      // Before: b is fuller (memory 0.75 against cpu 0.625). After: a's cpu reaches 0.875, b stays at 0.75.
      given: { req: req({ cpu: 2, memoryMb: 0 }), hosts: [host({ name: 'b', used: { memoryMb: 6144, cpu: 1 } }), host({ name: 'a', used: { cpu: 5 } })] },
      want: 'a',
    },
    {
      name: 'ties: first by name',
      given: { req: req(), hosts: [host({ name: 'host-2' }), host({ name: 'host-1' })] },
      want: 'host-1',
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(chosen(c.given.req, c.given.hosts, 'binpack'), c.want));

  test('packs a small request next to a big one instead of opening a host', () => {
    const fleet = hosts(2, { cpu: 4 });
    assert.deepEqual(placeMany(fleet, req({ cpu: 3, memoryMb: 0 }), 1, 'binpack'), ['host-1']);
    assert.deepEqual(placeMany(fleet, req({ cpu: 1, memoryMb: 0 }), 2, 'binpack'), ['host-1', 'host-2']);
  });
});

describe('filters apply to every strategy', () => {
  const fleet = [
    host({ name: 'host-1', up: false }),
    host({ name: 'host-2', enabled: false }),
    host({ name: 'host-3', zone: 'az2', containerIds: ['c1'] }),
    host({ name: 'host-4', labels: { gpu: 'yes' }, runtimes: ['runc', 'kata'], containerIds: ['c2'] }),
  ];
  const cases: Array<{ name: string; given: PlacementRequest; want: string }> = [
    { name: 'skips down and disabled hosts', given: req(), want: 'host-3' },
    { name: 'zone', given: req({ zone: 'nova' }), want: 'host-4' },
    { name: 'labels', given: req({ labels: { gpu: 'yes' } }), want: 'host-4' },
    { name: 'runtime', given: req({ runtime: 'kata' }), want: 'host-4' },
    { name: 'same_host', given: req({ hints: { sameHost: ['c2'] } }), want: 'host-4' },
    { name: 'different_host', given: req({ hints: { differentHost: ['c1'] } }), want: 'host-4' },
    { name: 'host pin', given: req({ hints: { host: 'host-4' } }), want: 'host-4' },
    { name: 'host pin to a disabled host', given: req({ hints: { host: 'host-2' } }), want: '-' },
  ];
  for (const strategy of ['fill-first', 'spread', 'binpack'] as const) {
    for (const c of cases) test(`${strategy}: ${c.name}`, () => assert.equal(chosen(c.given, fleet, strategy), c.want));
  }
});

describe('hosts holding the image come first', () => {
  // host-1 is the most used (fill-first's choice), host-3 the least (spread's choice).
  const fleet = () => [
    host({ name: 'host-1', used: { cpu: 4 } }),
    host({ name: 'host-2', used: { cpu: 2 } }),
    host({ name: 'host-3' }),
    host({ name: 'host-4', used: { cpu: 3 }, enabled: false }),
  ];
  const holding = (...names: string[]) => names.map((n) => `id-${n}`);
  const cases: Array<{ name: string; given: { req: PlacementRequest; strategy: Strategy }; want: string }> = [
    { name: 'no holder: the strategy decides', given: { req: req(), strategy: 'fill-first' }, want: 'host-1' },
    { name: 'an empty list: the strategy decides', given: { req: req({ preferHostIds: [] }), strategy: 'spread' }, want: 'host-3' },
    { name: 'one holder wins over fill-first\'s choice', given: { req: req({ preferHostIds: holding('host-3') }), strategy: 'fill-first' }, want: 'host-3' },
    { name: 'one holder wins over spread\'s choice', given: { req: req({ preferHostIds: holding('host-1') }), strategy: 'spread' }, want: 'host-1' },
    { name: 'among holders, fill-first\'s order', given: { req: req({ preferHostIds: holding('host-3', 'host-2') }), strategy: 'fill-first' }, want: 'host-2' },
    { name: 'among holders, spread\'s order', given: { req: req({ preferHostIds: holding('host-1', 'host-2') }), strategy: 'spread' }, want: 'host-2' },
    { name: 'a holder that does not fit is passed over', given: { req: req({ cpu: 5, preferHostIds: holding('host-1') }), strategy: 'fill-first' }, want: 'host-2' },
    { name: 'a disabled holder is passed over', given: { req: req({ preferHostIds: holding('host-4', 'host-3') }), strategy: 'fill-first' }, want: 'host-3' },
    { name: 'an unknown holder is ignored', given: { req: req({ preferHostIds: ['gone'] }), strategy: 'fill-first' }, want: 'host-1' },
    { name: 'hints still apply to holders', given: { req: req({ preferHostIds: holding('host-3'), hints: { host: 'host-2' } }), strategy: 'fill-first' }, want: 'host-2' },
    { name: 'binpack among holders', given: { req: req({ preferHostIds: holding('host-2', 'host-3') }), strategy: 'binpack' }, want: 'host-2' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(chosen(c.given.req, fleet(), c.given.strategy), c.want));

  test('nothing fits: the same rejections as without a preference', () => {
    const r = req({ cpu: 9 });
    assert.deepEqual(place({ ...r, preferHostIds: holding('host-1') }, fleet()), place(r, fleet()));
  });
});

describe('nothing fits', () => {
  test('zero hosts', () => {
    assert.deepEqual(place(req(), []), {
      ok: false,
      rejections: [],
      message: 'No valid host was found. There are no hosts.',
    });
  });

  test('counts each host under the first filter it fails, most hosts first', () => {
    const fleet = [
      host({ name: 'a', memoryMb: 256 }),
      host({ name: 'b', memoryMb: 256, enabled: false }),
      host({ name: 'c', memoryMb: 256 }),
    ];
    const p = place(req({ memoryMb: 512 }), fleet);
    assert.deepEqual(p, {
      ok: false,
      rejections: [
        { filter: 'memory', reason: 'lack memory (need 512 MB)', hosts: 2 },
        { filter: 'host-enabled', reason: 'disabled', hosts: 1 },
      ],
      message: 'No valid host was found. 3 hosts: 2 lack memory (need 512 MB), 1 disabled',
    });
  });

  test('equal counts keep filter order', () => {
    const p = place(req({ cpu: 9, zone: 'az1' }), [host({ name: 'a' }), host({ name: 'b', zone: 'az1', used: { cpu: 4 } }), host({ name: 'c', up: false })]);
    assert.equal(p.ok, false);
    assert.deepEqual(!p.ok && p.rejections.map((r) => r.filter), ['host-up', 'zone', 'cpu']);
  });
});

describe('describeRejections', () => {
  const cases: Array<{ name: string; given: Rejection[]; want: string }> = [
    { name: 'none', given: [], want: 'No valid host was found. There are no hosts.' },
    {
      name: 'one host agrees in number',
      given: [{ filter: 'memory', reason: 'lack memory (need 512 MB)', hosts: 1 }],
      want: 'No valid host was found. 1 host: 1 lacks memory (need 512 MB)',
    },
    {
      name: 'several reasons',
      given: [
        { filter: 'memory', reason: 'lack memory (need 512 MB)', hosts: 2 },
        { filter: 'host-enabled', reason: 'disabled', hosts: 1 },
      ],
      want: 'No valid host was found. 3 hosts: 2 lack memory (need 512 MB), 1 disabled',
    },
    {
      name: 'hints and limits in the singular',
      given: [
        { filter: 'hints', reason: 'do not hold all of containers a (same_host)', hosts: 1 },
        { filter: 'hints', reason: 'hold one of containers b (different_host)', hosts: 1 },
        { filter: 'container-count', reason: 'at their container limit', hosts: 1 },
      ],
      want:
        'No valid host was found. 3 hosts: 1 does not hold all of containers a (same_host), ' +
        '1 holds one of containers b (different_host), 1 at its container limit',
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(describeRejections(c.given), c.want));
});
