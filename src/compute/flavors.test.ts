import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extraSizeProblem, flavorIdOf, flavorProblem, isPublicFilter, sizeOf, specsProblem, specText, strictBool } from './flavors.js';

describe('flavor rules', () => {
  it('reads booleans as oslo strict parsing does', () => {
    for (const t of [true, 'True', 't', 'YES', 'on', '1', ' y ']) assert.equal(strictBool(t), true, String(t));
    for (const f of [false, 'False', 'f', 'no', 'OFF', '0', 'n']) assert.equal(strictBool(f), false, String(f));
    for (const x of ['', 'maybe', '2', 'truthy']) assert.equal(strictBool(x), undefined, x);
  });
  const filters = [
    { raw: undefined, admin: true, want: { value: true } },
    { raw: 'none', admin: true, want: { value: null } },
    { raw: 'None', admin: true, want: { value: null } },
    { raw: 'false', admin: true, want: { value: false } },
    { raw: 'no', admin: true, want: { value: false } },
    { raw: 'yes', admin: true, want: { value: true } },
    { raw: 'false', admin: false, want: { value: true } },
    { raw: 'none', admin: false, want: { value: true } },
    { raw: 'bogus', admin: true, want: { error: 'Invalid is_public filter [bogus]' } },
  ];
  for (const c of filters) {
    it(`is_public=${c.raw} (admin ${c.admin})`, () => assert.deepEqual(isPublicFilter(c.raw, c.admin), c.want));
  }
  it('sizes are integers or digit strings', () => {
    assert.equal(sizeOf(512, 0), 512);
    assert.equal(sizeOf('1024', 0), 1024);
    assert.equal(sizeOf(undefined, 7), 7);
    assert.equal(sizeOf('', 0), 0);
    assert.ok(Number.isNaN(sizeOf(1.5, 0)));
    assert.ok(Number.isNaN(sizeOf('1.5', 0)));
  });
  it('checks sizes', () => {
    assert.equal(flavorProblem({ vcpus: 1, ram: 512, disk: 0 }), null);
    assert.match(flavorProblem({ vcpus: 0, ram: 512, disk: 0 }) ?? '', /vcpus/);
    assert.match(flavorProblem({ vcpus: 1, ram: 1, disk: 0 }) ?? '', /ram/);
    assert.equal(extraSizeProblem({ ephemeral: 10, swap: 1024, rxtx_factor: 2 }), null);
    assert.match(extraSizeProblem({ ephemeral: -1, swap: 0, rxtx_factor: 1 }) ?? '', /ephemeral/);
    assert.match(extraSizeProblem({ ephemeral: 0, swap: Number.NaN, rxtx_factor: 1 }) ?? '', /swap/);
    assert.match(extraSizeProblem({ ephemeral: 0, swap: 0, rxtx_factor: 0 }) ?? '', /rxtx_factor/);
  });
  it('ids: text kept, numbers as text, none made later', () => {
    assert.equal(flavorIdOf('abc'), 'abc');
    assert.equal(flavorIdOf(1234), '1234');
    assert.equal(flavorIdOf(null), undefined);
    assert.equal(flavorIdOf(undefined), undefined);
  });
  it('extra spec values become text', () => {
    assert.equal(specText('shared'), 'shared');
    assert.equal(specText(2), '2');
    assert.equal(specText(true), 'True');
    assert.equal(specsProblem({ a: 'x'.repeat(255) }), null);
    assert.match(specsProblem({ k: 'x'.repeat(256) }) ?? '', /k has more than 255/);
  });
});
