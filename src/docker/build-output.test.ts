import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildOutput, errorLine, readLine, streamLine } from './build-output.js';

test('readLine: what each engine line means', () => {
  const cases: { name: string; given: string; want: ReturnType<typeof readLine> }[] = [
    { name: 'a step', given: '{"stream":"Step 1/3 : FROM busybox\\n"}', want: { keep: true } },
    { name: 'the engine\'s own tag', given: '{"stream":"Successfully tagged berth-glance/x:y\\n"}', want: { keep: false } },
    { name: 'the image id', given: '{"aux":{"ID":"sha256:abc"}}', want: { keep: true, imageId: 'sha256:abc' } },
    { name: 'an error', given: '{"errorDetail":{"code":1,"message":"boom"},"error":"boom"}', want: { keep: true, error: 'boom' } },
    { name: 'an error without detail', given: '{"error":"bad"}', want: { keep: true, error: 'bad' } },
    { name: 'not JSON', given: 'garbage', want: { keep: true } },
    { name: 'a quiet build\'s id', given: JSON.stringify({ stream: `sha256:${'b'.repeat(64)}\n` }), want: { keep: true, imageId: `sha256:${'b'.repeat(64)}` } },
    { name: 'other stream text', given: JSON.stringify({ stream: 'sha256:short\n' }), want: { keep: true } },
  ];
  for (const c of cases) assert.deepEqual(readLine(c.given), c.want, c.name);
});

test('BuildOutput passes whole lines on, across chunk boundaries, without the engine\'s tags', () => {
  const o = new BuildOutput();
  const input = [
    '{"stream":"Step 1/1 : FROM busybox\\n"}\r\n{"aux":{"ID":"sha',
    '256:abc"}}\r\n{"stream":"Successfully built abc\\n"}\r\n{"stream":"Successfully tagged berth-glance/i:c\\n"}\r\n{"stream":"ta',
    'il"}',
  ];
  const out = input.map((c) => o.push(Buffer.from(c))).join('') + o.end();
  assert.equal(out, '{"stream":"Step 1/1 : FROM busybox\\n"}\n{"aux":{"ID":"sha256:abc"}}\n{"stream":"Successfully built abc\\n"}\n{"stream":"tail"}\n');
  assert.equal(o.imageId, 'sha256:abc');
  assert.equal(o.error, undefined);
});

test('BuildOutput keeps the first error and a character split between chunks', () => {
  const o = new BuildOutput();
  const bytes = Buffer.from(`${streamLine('é\n')}${errorLine('first')}${errorLine('second')}`);
  const at = bytes.indexOf(0xc3) + 1;
  const out = o.push(bytes.subarray(0, at)) + o.push(bytes.subarray(at)) + o.end();
  assert.equal(out, bytes.toString());
  assert.equal(o.error, 'first');
});
