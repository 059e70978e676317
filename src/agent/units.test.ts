import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { test } from 'node:test';
import { desired } from './builders.js';
import { agentUrl } from './connection.js';
import { toEngineSpec } from './engine-spec.js';
import type { ObservedStatus } from './protocol.js';
import { StatusBatcher } from './status-batch.js';

test('agentUrl: http → ws and https → wss, keeping a base path', () => {
  strictEqual(agentUrl('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/agent/v1/connect');
  strictEqual(agentUrl('https://berth.example/base/'), 'wss://berth.example/base/agent/v1/connect');
  strictEqual(agentUrl('ws://127.0.0.1:1'), 'ws://127.0.0.1:1/agent/v1/connect');
});

test('toEngineSpec: Berth labels win over tenant labels; ports are published', () => {
  const spec = toEngineSpec(
    desired({ uuid: 'u1', name: 'web', projectId: 'p1' }, { labels: { 'berth.cloud': 'spoof', team: 'a' }, exposedPorts: { '80/tcp': {} }, env: { A: '1' } }),
    { cloudId: 'cl', hostName: 'h1' },
  );
  deepStrictEqual(spec.labels, {
    team: 'a',
    'berth.cloud': 'cl',
    'berth.container-uuid': 'u1',
    'berth.project': 'p1',
    'berth.name': 'web',
    'berth.host': 'h1',
  });
  strictEqual(spec.name, 'berth-u1');
  strictEqual(spec.publishPorts, true);
  deepStrictEqual(spec.env, { A: '1' });
});

test('StatusBatcher: sends the first update at once, then coalesces the burst, latest update per container', async () => {
  const sent: ObservedStatus[][] = [];
  const b = new StatusBatcher((u) => sent.push(u), 5);
  const s = (uuid: string, status: string) => ({ uuid, status }) as ObservedStatus;
  b.push(s('a', 'Creating'));
  b.push(s('b', 'Running'));
  b.push(s('c', 'Creating'));
  b.push(s('c', 'Running'));
  await new Promise((r) => setTimeout(r, 20));
  deepStrictEqual(sent.map((m) => m.map((x) => `${x.uuid}:${x.status}`)), [['a:Creating'], ['b:Running', 'c:Running']]);
});

test('StatusBatcher: hold sends everything reported meanwhile as one message', async () => {
  const sent: ObservedStatus[][] = [];
  const b = new StatusBatcher((u) => sent.push(u), 1);
  await b.hold(async () => {
    b.push({ uuid: 'a' } as ObservedStatus);
    await new Promise((r) => setTimeout(r, 10));
    b.push({ uuid: 'b' } as ObservedStatus);
  });
  await new Promise((r) => setTimeout(r, 10));
  deepStrictEqual(sent.map((m) => m.length), [2]);
});
