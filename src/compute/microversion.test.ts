import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiate } from './microversion.js';

describe('negotiate', () => {
  const cases: { name: string; nova?: string; api?: string; want: unknown }[] = [
    { name: 'absent is 2.1', want: { ok: true, version: [2, 1] } },
    { name: 'nova header', nova: '2.1', want: { ok: true, version: [2, 1] } },
    { name: 'latest', api: 'compute latest', want: { ok: true, version: [2, 1] } },
    { name: 'another service is ignored', api: 'volume 3.5', want: { ok: true, version: [2, 1] } },
    { name: 'above the maximum is 406', nova: '2.99', want: { ok: false, status: 406, message: 'Version 2.99 is not supported by the API. Minimum is 2.1 and maximum is 2.1.' } },
    { name: 'malformed is 400', api: 'compute two', want: { ok: false, status: 400, message: 'Invalid API version request: two. It must look like 2.1 or latest.' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(negotiate(c.nova, c.api), c.want));
});
