import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultBody, faultKey, novaQuotaMessage } from './faults.js';

describe('faultKey', () => {
  const cases = [
    { given: 400, want: 'badRequest' }, { given: 403, want: 'forbidden' }, { given: 404, want: 'itemNotFound' },
    { given: 409, want: 'conflictingRequest' }, { given: 413, want: 'overLimit' }, { given: 422, want: 'badRequest' },
    { given: 500, want: 'computeFault' }, { given: 503, want: 'serviceUnavailable' },
  ];
  for (const c of cases) it(String(c.given), () => assert.equal(faultKey(c.given), c.want));
});

describe('novaQuotaMessage', () => {
  const cases = [
    { name: 'names in Nova words', given: "Quota exceeded for resources: ['cpu', 'containers']. Project p uses 20 of 20.", want: 'Quota exceeded for cores, instances: Project p uses 20 of 20.' },
    { name: 'memory is ram', given: "Quota exceeded for resources: ['memory'].", want: 'Quota exceeded for ram:' },
    { name: 'other messages unchanged', given: 'Something else.', want: 'Something else.' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(novaQuotaMessage(c.given), c.want));
});

it('faultBody', () => assert.deepEqual(faultBody(404, 'gone'), { itemNotFound: { message: 'gone', code: 404 } }));
