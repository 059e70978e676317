import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsRewriter } from './stats.js';

test('stats lines get the endpoint\'s id and name, across chunk boundaries', () => {
  const r = new StatsRewriter('uuid-1', 'web');
  const doc = (n: number) => JSON.stringify({ id: 'engine-id', name: '/berth-x', read: n });
  const two = `${doc(1)}\n${doc(2)}\n`;
  const out = [r.push(Buffer.from(two.slice(0, 10))), r.push(two.slice(10, 60)), r.push(two.slice(60)), r.end()].join('');
  assert.deepEqual(out.split('\n').filter(Boolean).map((l) => JSON.parse(l)), [
    { id: 'uuid-1', name: '/web', read: 1 }, { id: 'uuid-1', name: '/web', read: 2 },
  ]);
  assert.ok(out.endsWith('\n'));
});

test('a last document without a newline is kept; blank lines are dropped; text that is no JSON passes', () => {
  const r = new StatsRewriter('a', 'b');
  assert.equal(r.push('\n\n{"read":1}'), '');
  assert.equal(r.end(), '{"read":1,"id":"a","name":"/b"}\n');
  assert.equal(r.end(), '');
  assert.equal(new StatsRewriter('a', 'b').push('oops\n'), 'oops\n');
});
