/**
 * Admission under contention: 200 creates at once against hosts of small, fixed capacity place exactly
 * what fits — no host over its capacity, none left with room — and turn the rest away with "No valid
 * host was found", never a 500. The hosts are real `berth agent` processes on the main engine (different
 * names, capacities set by their flags); creates use run=false, so the agents only create engine
 * containers. On PostgreSQL, two API servers on one database race the same way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LABEL_CLOUD } from '../src/agent/protocol.js';
import { eachDialect, request, startTestServer, unlimitedQuota, waitFor, type TestServer } from './helpers.js';
import { engineIds, mainEngine, removeCloudContainers, startAgent, startSharedServers, uniqueHostName, type AgentProcess, type SharedServers } from './hosts-fixture.js';

const CREATES = 200;
/** Every create asks for this much. */
const REQUEST = { cpu: 0.5, memory: 128 };
/**
 * Three hosts, each bound by a different resource: a container limit (4), memory (512 MiB × 1.5 =
 * 768 MiB = 6 × 128) and cpu (0.25 × 16 = 4 = 8 × 0.5). The other resources of each have room to spare.
 */
const HOSTS = [
  { prefix: 'adm-a', flags: { maxContainers: 4 }, fits: 4 },
  { prefix: 'adm-b', flags: { memoryMb: 512 }, fits: 6 },
  { prefix: 'adm-c', flags: { cpus: 0.25 }, fits: 8 },
] as const;
const CAPACITY = HOSTS.reduce((n, h) => n + h.fits, 0);

let engine = '';
before(async () => {
  engine = await mainEngine();
}, { timeout: 300_000 });

interface Fleet { agents: AgentProcess[]; fits: Map<string, number> }

/** Starts the three agents; agent i dials `connectTo[i % length]`. */
async function startFleet(issuer: TestServer, token: string, connectTo: TestServer[]): Promise<Fleet> {
  const names = HOSTS.map((h) => uniqueHostName(h.prefix));
  const agents = await Promise.all(HOSTS.map((h, i) => startAgent(issuer, token, { name: names[i], engine, ...h.flags }, connectTo[i % connectTo.length])));
  return { agents, fits: new Map(HOSTS.map((h, i) => [names[i], h.fits])) };
}

/**
 * Fires CREATES creates at once, spread over `servers`, and checks the outcome: every answer a 202,
 * exactly CAPACITY placed with each host filled to its capacity, the rest in Error for want of a host.
 * Then waits for the agents to create the placed ones, deletes everything and waits for the engine to
 * be clean again.
 */
async function raceCreates(servers: TestServer[], token: string, fleet: Fleet): Promise<void> {
  const cloudId = servers[0].server.cloudId;
  const api = (i: number, method: string, path: string, body?: unknown) =>
    request(servers[i % servers.length].url, method, `/container/v1${path}`, { token, body });
  const answers = await Promise.all(Array.from({ length: CREATES }, (_, i) =>
    api(i, 'POST', '/containers?run=false', { name: `race-${i}`, image: 'busybox', command: 'sleep 3600', ...REQUEST })));

  const statuses = answers.map((a) => a.status);
  assert.deepEqual(statuses.filter((st) => st !== 202), [], `every create is accepted: ${answers.find((a) => a.status !== 202)?.text}`);
  const made = answers.map((a) => a.json);
  const placed = made.filter((c) => c.status !== 'Error');
  const refused = made.filter((c) => c.status === 'Error');
  assert.equal(placed.length, CAPACITY, 'exactly the capacity is placed');
  assert.equal(refused.length, CREATES - CAPACITY);
  // A create is refused only once every host is full, each turned away by the resource that binds it.
  const full = `No valid host was found. 3 hosts: 1 lacks cpu (need ${REQUEST.cpu} vCPU), 1 lacks memory (need ${REQUEST.memory} MB), 1 at its container limit`;
  for (const c of refused) {
    assert.equal(c.status_reason, full);
    assert.equal(c.host ?? null, null);
  }
  const perHost = new Map<string, number>();
  for (const c of placed) perHost.set(c.host, (perHost.get(c.host) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...perHost].sort()), Object.fromEntries([...fleet.fits].sort()), 'each host holds exactly its capacity');

  // What the database says afterwards agrees with the answers.
  const listed = (await api(0, 'GET', '/containers?limit=1000')).json.containers;
  assert.equal(listed.length, CREATES);
  assert.equal(listed.filter((c: any) => c.status !== 'Error').length, CAPACITY);
  const hosts = (await api(0, 'GET', '/hosts')).json.hosts;
  for (const h of hosts) if (fleet.fits.has(h.hostname)) assert.equal(h.total_containers, fleet.fits.get(h.hostname), `${h.hostname} claims`);

  // The agents create every placed container, whichever server took the create.
  await waitFor('every placed container to be Created', async () => {
    const now = (await api(1, 'GET', '/containers?limit=1000')).json.containers;
    return now.filter((c: any) => c.status === 'Created').length === CAPACITY;
  }, 60_000, 250);
  assert.equal((await engineIds(engine, { [LABEL_CLOUD]: cloudId })).length, CAPACITY);

  const deletes = await Promise.all(made.map((c, i) => api(i, 'DELETE', `/containers/${c.uuid}`)));
  assert.deepEqual(deletes.map((d) => d.status).filter((st) => st !== 204), []);
  await waitFor('every container to be gone', async () =>
    (await api(0, 'GET', '/containers')).json.containers.length === 0 && (await engineIds(engine, { [LABEL_CLOUD]: cloudId })).length === 0,
  60_000, 250);
}

async function stopFleet(fleet: Fleet | undefined, cloudId: string | undefined): Promise<void> {
  await Promise.all((fleet?.agents ?? []).map((a) => a.stop().catch(() => undefined)));
  if (cloudId) await removeCloudContainers(engine, cloudId);
}

eachDialect((dialect) => {
  describe('one API server', () => {
    let s: TestServer;
    let fleet: Fleet | undefined;
    let token: string;
    before(async () => {
      s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false' });
      token = await s.adminToken();
      await unlimitedQuota(s, token);
      fleet = await startFleet(s, token, [s]);
    }, { timeout: 120_000 });
    after(async () => {
      await stopFleet(fleet, s?.server.cloudId);
      await s?.stop();
    }, { timeout: 120_000 });

    it(`${CREATES} concurrent creates place exactly the capacity`, async () => {
      await raceCreates([s], token, fleet!);
    });

    it('the claims are freed: the same race places exactly the capacity again', async () => {
      await raceCreates([s], token, fleet!);
    });
  });

  describe('two API servers on one database', { skip: dialect.name === 'sqlite' ? 'several servers share a PostgreSQL database; SQLite is one server\'s' : false }, () => {
    let shared: SharedServers | undefined;
    let fleet: Fleet | undefined;
    let token: string;
    before(async () => {
      shared = await startSharedServers(dialect, 2);
      token = await shared.servers[0].adminToken();
      await unlimitedQuota(shared.servers[0], token);
      // Agents on both servers: a create taken by one server reaches a host connected to the other.
      fleet = await startFleet(shared.servers[0], token, shared.servers);
    }, { timeout: 120_000 });
    after(async () => {
      await stopFleet(fleet, shared?.servers[0]?.server.cloudId);
      await shared?.stop();
    }, { timeout: 120_000 });

    it(`${CREATES} concurrent creates spread over both servers place exactly the capacity`, async () => {
      assert.equal(shared!.servers[0].server.cloudId, shared!.servers[1].server.cloudId, 'one cloud');
      await raceCreates(shared!.servers, token, fleet!);
    });
  });
}, { timeout: 170_000 });
