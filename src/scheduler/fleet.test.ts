import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claimOn, host, hosts, req, rng } from './builders.js';
import { Fleet, claimFor, place } from './index.js';
import type { HostView, PlacementRequest, Strategy } from './types.js';

function placeMany(fleet: Fleet, r: PlacementRequest, n: number, strategy?: Strategy): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = fleet.place(r, strategy);
    names.push(p.ok ? p.host.name : '-');
    if (p.ok) fleet.claim(p.host.id, claimFor(r));
  }
  return names;
}

describe('Fleet', () => {
  test('fill-first fills host-1 until full, then host-2', () => {
    const fleet = new Fleet(hosts(2, { cpu: 2 }));
    assert.deepEqual(placeMany(fleet, req(), 5), ['host-1', 'host-1', 'host-2', 'host-2', '-']);
  });

  test('spread alternates', () => {
    const fleet = new Fleet(hosts(2));
    assert.deepEqual(placeMany(fleet, req(), 4, 'spread'), ['host-1', 'host-2', 'host-1', 'host-2']);
  });

  test('binpack takes the host left fullest', () => {
    const fleet = new Fleet([host({ name: 'big', cpu: 64 }), host({ name: 'small', cpu: 2 })]);
    assert.deepEqual(placeMany(fleet, req({ cpu: 1 }), 3, 'binpack'), ['small', 'small', 'big']);
  });

  test('claim and release move usage and containers', () => {
    const fleet = new Fleet([host()]);
    fleet.claim('id-host-1', { cpu: 2, memoryMb: 1024, diskGb: 5, containers: 1 }, 'c1');
    assert.deepEqual(fleet.get('id-host-1')?.used, { cpu: 2, memoryMb: 1024, diskGb: 5, containers: 1 });
    assert.deepEqual(fleet.get('id-host-1')?.containerIds, ['c1']);
    const p = fleet.place(req({ hints: { sameHost: ['c1'] } }));
    assert.equal(p.ok && p.host.name, 'host-1');
    fleet.release('id-host-1', { cpu: 2, memoryMb: 1024, diskGb: 5, containers: 1 }, 'c1');
    assert.deepEqual(fleet.get('id-host-1'), host());
    const after = fleet.place(req({ hints: { sameHost: ['c1'] } }));
    assert.equal(after.ok, false);
  });

  test('hands out copies', () => {
    const given = host();
    const fleet = new Fleet([given]);
    given.used.cpu = 8;
    const p = fleet.place(req());
    assert.ok(p.ok);
    p.host.used.cpu = 8;
    assert.equal(fleet.get('id-host-1')?.used.cpu, 0);
  });

  test('update, remove, size', () => {
    const fleet = new Fleet(hosts(2));
    fleet.update(host({ name: 'host-1', enabled: false }));
    assert.equal((fleet.place(req()) as { host: HostView }).host.name, 'host-2');
    assert.equal(fleet.remove('id-host-2'), true);
    assert.equal(fleet.remove('id-host-2'), false);
    assert.equal(fleet.size, 1);
    assert.equal(fleet.place(req()).ok, false);
  });

  test('unknown and duplicate hosts are errors', () => {
    const fleet = new Fleet([host()]);
    assert.throws(() => fleet.add(host()), /already/);
    assert.throws(() => fleet.claim('nope', claimFor(req())), /not in the fleet/);
    assert.throws(() => fleet.update(host({ name: 'other' })), /not in the fleet/);
  });

  test('nothing fits: same answer as place', () => {
    const views = [host({ memoryMb: 256 }), host({ name: 'host-2', up: false })];
    assert.deepEqual(new Fleet(views).place(req({ memoryMb: 512 })), place(req({ memoryMb: 512 }), views));
    assert.deepEqual(new Fleet().place(req()), place(req(), []));
  });
});

const withoutContainers = (v: HostView): HostView => ({ ...structuredClone(v), containerIds: [] });

/** same_host / different_host resolved to host ids from where the named containers are, as the core does. */
function resolveHints(r: PlacementRequest, views: HostView[]): PlacementRequest {
  const same = r.hints?.sameHost ?? [];
  const different = r.hints?.differentHost ?? [];
  if (same.length === 0 && different.length === 0) return r;
  const hints = { ...r.hints };
  if (same.length > 0) hints.sameHostId = views.find((v) => same.every((c) => v.containerIds.includes(c)))?.id ?? null;
  if (different.length > 0) hints.differentHostIds = views.filter((v) => different.some((c) => v.containerIds.includes(c))).map((v) => v.id);
  return { ...r, hints };
}

// A randomized walk: the same operations on a Fleet and on plain views must always give the same
// decision as `place` over the views, for every strategy, with ties, full hosts, hints and churn.
describe('Fleet agrees with place', () => {
  const zones = ['az1', 'az2'];
  const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

  function randomHost(rand: () => number, i: number): HostView {
    return host({
      id: `h${i}`,
      // Some names repeat, so ties fall through to ids.
      name: `host-${rand() < 0.1 ? 1 : i}`,
      up: rand() > 0.05,
      enabled: rand() > 0.05,
      zone: pick(rand, zones),
      runtimes: rand() < 0.3 ? ['runc', 'kata'] : ['runc'],
      labels: rand() < 0.3 ? { gpu: 'yes' } : {},
      cpu: pick(rand, [2, 4, 8]),
      memoryMb: pick(rand, [2048, 4096, 8192]),
      diskGb: pick(rand, [20, 50]),
      containers: pick(rand, [2, 4, 8]),
      used: rand() < 0.3 ? { cpu: pick(rand, [0.5, 1, 3]), memoryMb: pick(rand, [512, 1000]) } : {},
    });
  }

  function randomRequest(rand: () => number, views: HostView[], placed: Array<{ cid: string }>): PlacementRequest {
    const r = req({
      cpu: pick(rand, [0, 0.5, 1, 1.5, 2, 3]),
      memoryMb: pick(rand, [0, 256, 512, 1024, 3000]),
      diskGb: pick(rand, [0, 1, 5, 30]),
    });
    if (rand() < 0.2) r.zone = pick(rand, zones);
    if (rand() < 0.1) r.runtime = 'kata';
    if (rand() < 0.1) r.labels = { gpu: 'yes' };
    const h = rand();
    if (h < 0.05) r.hints = { host: views.length > 0 && rand() < 0.8 ? pick(rand, views).name : 'nowhere' };
    else if (h < 0.1 && placed.length > 0) r.hints = { sameHost: [pick(rand, placed).cid] };
    else if (h < 0.15 && placed.length > 0) r.hints = { differentHost: [pick(rand, placed).cid, 'gone'] };
    // Some hosts hold the image: a preference among the hosts that fit.
    if (rand() < 0.2 && views.length > 0) r.preferHostIds = [pick(rand, views).id, pick(rand, views).id, 'gone'];
    return r;
  }

  for (let seed = 1; seed <= 40; seed++) {
    test(`seed ${seed}`, () => {
      const rand = rng(seed);
      const views: HostView[] = Array.from({ length: 1 + Math.floor(rand() * 40) }, (_, i) => randomHost(rand, i));
      const fleet = new Fleet(views);
      // The servers' index: no container lists, hints resolved from the named containers beforehand.
      const bare = new Fleet(views.map(withoutContainers));
      const placed: Array<{ hostId: string; r: PlacementRequest; cid: string }> = [];
      let nextHost = views.length;
      let nextContainer = 0;
      const seen = { ok: 0, refused: 0 };

      for (let step = 0; step < 800; step++) {
        const op = rand();
        if (op < 0.6) {
          const strategy = pick(rand, ['fill-first', 'spread', 'binpack'] as const);
          const r = randomRequest(rand, views, placed);
          const want = place(r, views, { strategy });
          const got = fleet.place(r, strategy);
          assert.deepEqual(got, want, `step ${step} ${strategy} ${JSON.stringify(r)}`);
          const resolved = bare.place(resolveHints(r, views), strategy);
          assert.deepEqual(resolved.ok ? resolved.host.id : resolved.message, want.ok ? want.host.id : want.message, `resolved: step ${step} ${strategy} ${JSON.stringify(r)}`);
          if (!want.ok) {
            seen.refused++;
            continue;
          }
          seen.ok++;
          const cid = `c${nextContainer++}`;
          fleet.claim(want.host.id, claimFor(r), cid);
          bare.claim(want.host.id, claimFor(r));
          claimOn(want.host, r, cid);
          placed.push({ hostId: want.host.id, r, cid });
        } else if (op < 0.85 && placed.length > 0) {
          const [{ hostId, r, cid }] = placed.splice(Math.floor(rand() * placed.length), 1);
          const view = views.find((v) => v.id === hostId);
          if (view === undefined) continue;
          fleet.release(hostId, claimFor(r), cid);
          bare.release(hostId, claimFor(r));
          view.used.cpu -= r.cpu;
          view.used.memoryMb -= r.memoryMb;
          view.used.diskGb -= r.diskGb;
          view.used.containers -= 1;
          view.containerIds.splice(view.containerIds.indexOf(cid), 1);
        } else if (op < 0.95 && views.length > 0) {
          const i = Math.floor(rand() * views.length);
          const changed = structuredClone(views[i]);
          const what = rand();
          if (what < 0.3) changed.up = !changed.up;
          else if (what < 0.6) changed.enabled = !changed.enabled;
          else if (what < 0.8) changed.capacity.cpu = pick(rand, [1, 4, 16]);
          else changed.zone = pick(rand, zones);
          fleet.update(changed);
          bare.update(withoutContainers(changed));
          views[i] = changed;
        } else if (op < 0.975 && views.length > 0) {
          const [gone] = views.splice(Math.floor(rand() * views.length), 1);
          assert.equal(fleet.remove(gone.id), true);
          assert.equal(bare.remove(gone.id), true);
        } else {
          const added = randomHost(rand, nextHost++);
          fleet.add(added);
          bare.add(withoutContainers(added));
          views.push(structuredClone(added));
        }
      }
      const byId = (a: HostView, b: HostView) => (a.id < b.id ? -1 : 1);
      assert.deepEqual(fleet.hosts().sort(byId), [...views].sort(byId));
      assert.ok(seen.ok > 50 && seen.refused > 0, JSON.stringify(seen));
    });
  }
});
