import { deepStrictEqual, throws } from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const cases: { name: string; env: Record<string, string>; flags?: Record<string, string>; want: string | undefined }[] = [
  { name: 'unset → derived from the listen address at start', env: {}, want: undefined },
  { name: 'http URL', env: { BERTH_ADVERTISE_URL: 'http://10.0.0.5:8780' }, want: 'http://10.0.0.5:8780' },
  { name: 'trailing slash dropped', env: { BERTH_ADVERTISE_URL: 'https://api-1.internal:8780/' }, want: 'https://api-1.internal:8780' },
  { name: 'flag wins over the environment', env: { BERTH_ADVERTISE_URL: 'http://a:1' }, flags: { advertiseUrl: 'http://b:2' }, want: 'http://b:2' },
];
for (const c of cases) test(`advertise URL: ${c.name}`, () => deepStrictEqual(loadConfig(c.env, c.flags).advertiseUrl, c.want));

const bad: { name: string; env: Record<string, string>; flags?: Record<string, string>; message: RegExp }[] = [
  { name: 'not a URL', env: { BERTH_ADVERTISE_URL: '10.0.0.5:8780' }, message: /^BERTH_ADVERTISE_URL must be an http/ },
  { name: 'another scheme', env: { BERTH_ADVERTISE_URL: 'ws://10.0.0.5:8780' }, message: /^BERTH_ADVERTISE_URL must be an http/ },
  { name: 'a query', env: { BERTH_ADVERTISE_URL: 'http://10.0.0.5:8780/?x=1' }, message: /without query/ },
  { name: 'named by its flag', env: {}, flags: { advertiseUrl: 'nope' }, message: /^--advertise-url must be/ },
];
for (const c of bad) {
  test(`advertise URL refused: ${c.name}`, () => throws(() => loadConfig(c.env, c.flags), (e: unknown) => e instanceof ConfigError && c.message.test(e.message)));
}
