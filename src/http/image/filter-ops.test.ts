import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBerthError } from '../../core/errors.js';
import { inValues, timeFilter } from './filter-ops.js';

const inCases: [string, string[] | undefined][] = [
  ['plain', undefined],
  ['in:a', ['a']],
  ['in:a,b,c', ['a', 'b', 'c']],
  ['in:"a,b",c', ['a,b', 'c']],
  ['in:x"y,z"', ['xy,z']],
];
for (const [v, want] of inCases) test(`inValues(${v})`, () => assert.deepEqual(inValues('name', v), want));

for (const v of ['in:', 'in:a,,b', 'in:"a']) {
  test(`inValues refuses ${v}`, () => assert.throws(() => inValues('name', v), (e: unknown) => isBerthError(e) && e.status === 400));
}

const T = '2016-04-18T21:38:54.000Z';
const T1 = '2016-04-18T21:38:55.000Z';
const timeCases: [string, object][] = [
  ['gt:2016-04-18T21:38:54Z', { column: 'created_at', from: T1 }],
  ['gte:2016-04-18T21:38:54Z', { column: 'created_at', from: T }],
  ['lt:2016-04-18T21:38:54Z', { column: 'created_at', before: T }],
  ['lte:2016-04-18T21:38:54.5Z', { column: 'created_at', before: T1 }],
  ['eq:2016-04-18T21:38:54', { column: 'created_at', from: T, before: T1 }],
  ['neq:2016-04-18T23:38:54+02:00', { column: 'created_at', outside: [T, T1] }],
];
for (const [v, want] of timeCases) test(`timeFilter(${v})`, () => assert.deepEqual(timeFilter('created_at', v), want));

for (const v of ['2016-04-18T21:38:54Z', 'ge:2016-04-18T21:38:54Z', 'gt:yesterday', 'gt:2016-13-45T99:00:00Z', 'gt:']) {
  test(`timeFilter refuses ${v}`, () => assert.throws(() => timeFilter('updated_at', v), (e: unknown) => isBerthError(e) && e.status === 400));
}
