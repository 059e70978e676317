/**
 * The Docker endpoint's TLS listener in client-certificate mode, as dockerd's `--tlsverify`: certificates
 * made with openssl (a CA, the server's for 127.0.0.1, a client's), the real docker CLI with
 * DOCKER_TLS_VERIFY, and what happens without a client certificate or without TLS.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../src/core/config.js';
import { dialects, startTestServer, type TestServer } from './helpers.js';
import { run } from './containers-fixture.js';

let dir = '';
let server: TestServer | undefined;
let token = '';

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args, { cwd: dir });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-dtls-'));
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth-test-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [['server', 'server.ext'], ['client', 'client.ext']]) {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`]);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${name}-cert.pem`]);
  }
  // What the docker CLI reads from DOCKER_CERT_PATH.
  mkdirSync(join(dir, 'client'));
  copyFileSync(join(dir, 'ca.pem'), join(dir, 'client', 'ca.pem'));
  copyFileSync(join(dir, 'client-cert.pem'), join(dir, 'client', 'cert.pem'));
  copyFileSync(join(dir, 'client-key.pem'), join(dir, 'client', 'key.pem'));
  server = await startTestServer(dialects()[0], {
    BERTH_DOCKER_TLS_CERT: join(dir, 'server-cert.pem'), BERTH_DOCKER_TLS_KEY: join(dir, 'server-key.pem'), BERTH_DOCKER_TLS_CA: join(dir, 'ca.pem'),
  });
  token = await server.adminToken();
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'config.json'), JSON.stringify({ HttpHeaders: { 'X-Auth-Token': token } }));
}, { timeout: 120_000 });

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string>) =>
  run('docker', args, { env: { DOCKER_HOST: server!.server.dockerHost, DOCKER_CONFIG: join(dir, 'config'), ...env } });

test('the docker CLI with --tlsverify and a client certificate is served', async () => {
  const r = await cli(['version', '--format', '{{.Server.APIVersion}}'], { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'client') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1.50');
  const ps = await cli(['ps', '-a'], { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'client') });
  assert.equal(ps.code, 0, ps.stderr);
});

test('without a client certificate, or without TLS, nothing is served', async () => {
  const noCert = mkdtempSync(join(dir, 'nocert-'));
  copyFileSync(join(dir, 'ca.pem'), join(noCert, 'ca.pem'));
  const r = await run('curl', ['-sS', '--cacert', join(noCert, 'ca.pem'), `https://${server!.server.dockerHost.slice('tcp://'.length)}/_ping`], {});
  assert.notEqual(r.code, 0, 'a client without a certificate is refused in the handshake');
  const plain = await cli(['ps'], {});
  assert.notEqual(plain.code, 0);
});

test('a TLS key without its certificate, or a CA alone, is a configuration error', () => {
  assert.throws(() => loadConfig({ BERTH_DOCKER_TLS_KEY: '/x/key.pem' }), /go together/);
  assert.throws(() => loadConfig({ BERTH_DOCKER_TLS_CA: '/x/ca.pem' }), /needs BERTH_DOCKER_TLS_CERT/);
});
