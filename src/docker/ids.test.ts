import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerId, uuidIdent } from './ids.js';

test('Docker ids are the uuid without dashes, and come back dashed', () => {
  const uuid = '6856a6b8-ceac-4dc3-b793-96c3e8cdab10';
  assert.equal(dockerId(uuid), '6856a6b8ceac4dc3b79396c3e8cdab10');
  const cases: [string, string][] = [
    ['6856a6b8ceac4dc3b79396c3e8cdab10', uuid],
    ['6856a6b8ceac', '6856a6b8-ceac'],
    ['6856a6b8c', '6856a6b8-c'],
    ['6856A6B8CEAC4', '6856a6b8-ceac-4'],
    ['6856a6b8', '6856a6b8'],
    [uuid, uuid],
    ['web', 'web'],
    ['6856a6b8ceac4dc3b79396c3e8cdab10ff', '6856a6b8ceac4dc3b79396c3e8cdab10ff'],
  ];
  for (const [input, want] of cases) assert.equal(uuidIdent(input), want, input);
});
