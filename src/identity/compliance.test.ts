import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  complianceOff, historyKeep, historyWindow, isPasswordExpired, lockState, minimumAgeViolation, passwordExpiresAt, regexViolation,
  type ComplianceConfig,
} from './compliance.js';

const on = (over: Partial<ComplianceConfig>): ComplianceConfig => ({ ...complianceOff, ...over });
const T0 = Date.UTC(2030, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

test('lockState: off by default, locked at N failures for the duration, then lifted', () => {
  const lock = on({ lockoutFailureAttempts: 3, lockoutDurationSeconds: 60 });
  const cases: { c: ComplianceConfig; failures: number; last: string | null; now: number; want: string }[] = [
    { c: complianceOff, failures: 100, last: iso(T0), now: T0, want: 'open' },
    { c: lock, failures: 2, last: iso(T0), now: T0, want: 'open' },
    { c: lock, failures: 3, last: iso(T0), now: T0, want: 'locked' },
    { c: lock, failures: 4, last: iso(T0), now: T0 + 59_999, want: 'locked' },
    { c: lock, failures: 3, last: iso(T0), now: T0 + 60_000, want: 'expired-lock' },
    { c: on({ lockoutFailureAttempts: 3 }), failures: 3, last: iso(T0), now: T0 + 365 * DAY, want: 'locked' },
  ];
  for (const [i, k] of cases.entries()) assert.equal(lockState(k.c, k.failures, k.last, k.now), k.want, `case ${i}`);
});

test('passwordExpiresAt and isPasswordExpired', () => {
  assert.equal(passwordExpiresAt(complianceOff, iso(T0)), null);
  const c = on({ passwordExpiresDays: 90 });
  assert.equal(passwordExpiresAt(c, iso(T0)), iso(T0 + 90 * DAY));
  assert.equal(passwordExpiresAt(c, null), null);
  const cases = [
    { now: T0 + 90 * DAY - 1, want: false },
    { now: T0 + 90 * DAY, want: true },
  ];
  for (const k of cases) assert.equal(isPasswordExpired(c, iso(T0), k.now), k.want, String(k.now));
  assert.equal(isPasswordExpired(complianceOff, iso(T0), T0 + 1000 * DAY), false);
});

test('regexViolation: matches from the start, as Python re.match, with the description in the message', () => {
  const c = on({ passwordRegex: '(?=.*\\d)(?=.*[a-zA-Z]).{7,}', passwordRegexDescription: 'at least 7 characters with a letter and a digit' });
  const cases = [
    { c: complianceOff, pw: 'x', want: undefined },
    { c, pw: 'abcdef1', want: undefined },
    { c, pw: 'abcdefg', want: 'The password does not meet the requirements: at least 7 characters with a letter and a digit.' },
    { c, pw: 'ab1', want: 'The password does not meet the requirements: at least 7 characters with a letter and a digit.' },
    { c: on({ passwordRegex: 'a' }), pw: 'abc', want: undefined },
    { c: on({ passwordRegex: 'a' }), pw: 'bac', want: 'The password does not meet the requirements: a.' },
  ];
  for (const k of cases) assert.equal(regexViolation(k.c, k.pw), k.want, k.pw);
});

test('minimumAgeViolation: only for a self-set password younger than the minimum', () => {
  const c = on({ minimumPasswordAgeDays: 2 });
  const cases = [
    { c: complianceOff, self: true, now: T0, bad: false },
    { c, self: false, now: T0, bad: false },
    { c, self: true, now: T0 + 2 * DAY, bad: false },
    { c, self: true, now: T0 + DAY, bad: true },
  ];
  for (const [i, k] of cases.entries()) assert.equal(minimumAgeViolation(k.c, iso(T0), k.self, k.now) !== undefined, k.bad, `case ${i}`);
  assert.match(minimumAgeViolation(c, iso(T0), true, T0 + 1)!, /must be used for 2 day\(s\).*try again in 2 day\(s\)/);
});

test('history window and how many hashes are kept', () => {
  const cases = [
    { n: 0, window: 0, keep: 1 },
    { n: 1, window: 1, keep: 1 },
    { n: 5, window: 5, keep: 5 },
  ];
  for (const k of cases) {
    const c = on({ uniqueLastPasswordCount: k.n });
    assert.equal(historyWindow(c), k.window);
    assert.equal(historyKeep(c), k.keep);
  }
});
