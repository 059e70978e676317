import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, requestLogger } from '../core/log.js';
import { SLOW_REQUEST_MS, findNulInRequest, requestLogLevel } from './server.js';

test('request lines: successes at debug, client errors at info, server errors and slow requests at warn', () => {
  assert.equal(requestLogLevel(200, 3), 'debug');
  assert.equal(requestLogLevel(204, 3), 'debug');
  assert.equal(requestLogLevel(300, 3), 'debug');
  assert.equal(requestLogLevel(401, 3), 'info');
  assert.equal(requestLogLevel(404, 3), 'info');
  assert.equal(requestLogLevel(500, 3), 'warn');
  assert.equal(requestLogLevel(503, 3), 'warn');
  assert.equal(requestLogLevel(200, SLOW_REQUEST_MS), 'warn');
  assert.equal(requestLogLevel(404, SLOW_REQUEST_MS + 1), 'warn');
});

test('a request logger writes with its bindings, and makes its child only for a line that is written', () => {
  const chunks: string[] = [];
  const sink = { write: (c: string) => (chunks.push(c), true) } as unknown as NodeJS.WritableStream;
  const parent = createLogger('info', sink);
  let children = 0;
  const child = parent.child.bind(parent);
  parent.child = ((...a: Parameters<typeof child>) => (children++, child(...a))) as typeof parent.child;
  const log = requestLogger(parent, { reqId: 'req-1' });
  log.debug({ x: 1 }, 'hidden');
  assert.equal(children, 0, 'a line below the level makes no child');
  assert.equal(log.isLevelEnabled('debug'), false);
  assert.equal(log.level, 'info');
  log.info({ token: 'secret-token' }, 'shown');
  log.warn('again');
  assert.equal(children, 1, 'one child, made once');
  const lines = chunks.map((c) => JSON.parse(c) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => [l.msg, l.reqId, l.level]), [['shown', 'req-1', 30], ['again', 'req-1', 40]]);
  assert.equal(lines[0].token, '***', 'redaction applies to request lines');
  assert.equal(requestLogger(parent, { reqId: 'req-2' }, { level: 'debug' }).level, 'debug', 'a level of its own makes a plain child');
});

test('NUL check: the part and path of the first NUL, nothing for clean or empty input', () => {
  assert.equal(findNulInRequest({}, {}, undefined), undefined);
  assert.equal(findNulInRequest({ id: 'x' }, { name: 'y' }, { a: [1, 'b'] }), undefined);
  assert.deepEqual(findNulInRequest({ id: 'a\u0000' }, {}, undefined), { part: 'params', at: 'id' });
  assert.deepEqual(findNulInRequest({}, {}, { a: { b: ['ok', 'x\u0000'] } }), { part: 'body', at: 'a/b/1' });
  assert.deepEqual(findNulInRequest({}, { 'k\u0000': '1' }, undefined), { part: 'querystring', at: 'k\u0000' });
  assert.deepEqual(findNulInRequest({}, {}, 'text\u0000'), { part: 'body', at: '' });
});
