import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newBoxKey, open, seal } from './secret-box.js';

test('seal and open round-trip; the sealed text hides the secret and differs each time', () => {
  const key = newBoxKey();
  for (const secret of ['', 'x', '{"access": "a", "secret": "s3cr3t"}', 'ü'.repeat(1000)]) {
    const a = seal(key, secret);
    assert.equal(open(key, a), secret);
    if (secret.length > 3) assert.ok(!a.includes(secret));
    assert.notEqual(seal(key, secret), a);
  }
});

test('open refuses another key, a tampered text and an unknown format', () => {
  const key = newBoxKey();
  const sealed = seal(key, 'secret');
  assert.throws(() => open(newBoxKey(), sealed));
  // The character replaced is the one looked at: a different letter always (a whole data character).
  const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.slice(-1);
  assert.notEqual(flipped, sealed);
  assert.throws(() => open(key, flipped));
  assert.throws(() => open(key, 'plain text'));
});
