import { generateKeyPairSync } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { fingerprintOf, parsePublicKey, rsaOpenSsh } from '../../compute/keys.js';
import * as repo from '../../store/compute-repo.js';
import { isUniqueViolation } from '../../store/db.js';
import type { KeypairRow } from '../../store/schema.js';
import type { App } from '../app-type.js';
import { enforce } from '../auth.js';
import type { ComputeDeps } from './deps.js';
import { novaTime } from './links.js';

const KeypairCreate = Type.Object({
  keypair: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9 _.@-]+$' }),
    public_key: Type.Optional(Type.String({ minLength: 1, maxLength: 16384 })),
    type: Type.Optional(Type.Union([Type.Literal('ssh'), Type.Literal('x509')])),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) });
const UserQuery = Type.Object({ user_id: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: true });

const view = (k: KeypairRow) => ({ name: k.name, public_key: k.public_key, fingerprint: k.fingerprint });
const missing = (name: string) => new BerthError('not_found', `Keypair ${name} not found for user`);

/** Keypairs of the calling user (an admin may name another with user_id): create, import, list, show, delete. */
export function keypairRoutes(app: App, deps: ComputeDeps): void {
  const q = () => deps.db.kysely;
  const userOf = (req: FastifyRequest, asked: string | undefined, rule: string) => {
    const user = asked ?? req.auth.userId;
    enforce(deps.policy, req, `os_compute_api:os-keypairs:${rule}`, { user_id: user });
    return user;
  };

  app.post('/os-keypairs', { schema: { body: KeypairCreate, querystring: UserQuery } }, async (req) => {
    const user = userOf(req, req.query.user_id, 'create');
    const b = req.body.keypair;
    let publicKey = b.public_key;
    let privateKey: string | undefined;
    if (publicKey === undefined) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = pair.publicKey.export({ format: 'jwk' });
      publicKey = rsaOpenSsh(jwk.n!, jwk.e!, `Generated-by-Berth`);
      privateKey = pair.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    }
    const parsed = parsePublicKey(publicKey);
    if (!parsed.ok) throw new BerthError('bad_request', parsed.message);
    const row: KeypairRow = {
      user_id: user, name: b.name, type: b.type ?? 'ssh', public_key: publicKey.trim(), fingerprint: fingerprintOf(parsed.blob),
      created_at: new Date().toISOString(),
    };
    try {
      await repo.insertKeypair(q(), row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new BerthError('conflict', `Key pair '${b.name}' already exists.`);
      throw e;
    }
    return { keypair: { ...view(row), user_id: user, ...(privateKey ? { private_key: privateKey } : {}) } };
  });

  app.get('/os-keypairs', { schema: { querystring: UserQuery } }, async (req) => {
    const user = userOf(req, req.query.user_id, 'index');
    return { keypairs: (await repo.listKeypairs(q(), user)).map((k) => ({ keypair: view(k) })) };
  });

  app.get('/os-keypairs/:name', { schema: { params: Name, querystring: UserQuery } }, async (req) => {
    const user = userOf(req, req.query.user_id, 'show');
    const k = await repo.getKeypair(q(), user, req.params.name);
    if (!k) throw missing(req.params.name);
    return { keypair: { ...view(k), user_id: user, created_at: novaTime(k.created_at), deleted: false, deleted_at: null, updated_at: null, id: 0 } };
  });

  app.delete('/os-keypairs/:name', { schema: { params: Name, querystring: UserQuery } }, async (req, reply) => {
    const user = userOf(req, req.query.user_id, 'delete');
    if (!(await repo.deleteKeypair(q(), user, req.params.name))) throw missing(req.params.name);
    return reply.code(202).send();
  });
}
