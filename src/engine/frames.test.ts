import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demuxFrames, FrameDecoder } from './frames.js';

const frame = (stream: number, text: string) => {
  const data = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
};

test('demuxFrames: separates and interleaves stdout and stderr', () => {
  const buf = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'é\n')]);
  assert.deepEqual(demuxFrames(buf), { stdout: 'out\né\n', stderr: 'err\n', combined: 'out\nerr\né\n' });
});

test('FrameDecoder: frames split anywhere across chunks', () => {
  const buf = Buffer.concat([frame(1, 'hello'), frame(2, 'world')]);
  for (let cut = 0; cut <= buf.length; cut++) {
    const d = new FrameDecoder();
    const frames = [...d.push(buf.subarray(0, cut)), ...d.push(buf.subarray(cut))];
    assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [[1, 'hello'], [2, 'world']], `cut at ${cut}`);
    assert.equal(d.pendingBytes, 0);
  }
});
