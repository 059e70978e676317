import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation } from '../../store/db.js';
import type { CredentialRow } from '../../store/schema.js';
import * as repo from '../../store/identity-repo.js';
import * as creds from '../../store/credential-repo.js';
import { newBoxKey, open, seal } from '../../identity/secret-box.js';
import { credentialsOf, enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { parseExtra } from './extra.js';
import { listLinks, v3 } from './render.js';
import { IdParam } from './schemas.js';

/**
 * Keystone's credentials API (/credentials): secrets a user keeps with the identity service, such as
 * EC2 key pairs or TOTP seeds. The blob is sealed before it is stored and is never logged. An `ec2`
 * credential needs a project and a JSON blob with an `access` key; its id is the SHA-256 of the key it
 * was created with, so it can be found from the access key alone.
 */

const Blob = Type.String({ minLength: 1, maxLength: 65535 });
const CredentialCreate = Type.Object({
  credential: Type.Object({
    blob: Blob,
    type: Type.String({ minLength: 1, maxLength: 255 }),
    user_id: Type.String({ minLength: 1, maxLength: 64 }),
    project_id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  }),
});
const CredentialUpdate = Type.Object({
  credential: Type.Object({
    blob: Type.Optional(Blob),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    project_id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  }, { minProperties: 1 }),
});
const CredentialQuery = Type.Object({ user_id: Type.Optional(Type.String()), type: Type.Optional(Type.String()) });
const FIELDS = new Set(['id', 'blob', 'type', 'user_id', 'project_id', 'links']);

/** The id an ec2 credential must have: the SHA-256 of its access key; a 400 when the blob has none. */
export function ec2CredentialId(blob: string): string {
  let access: unknown;
  try {
    access = (JSON.parse(blob) as Record<string, unknown> | null)?.access;
  } catch {
    throw new BerthError('bad_request', 'Invalid blob in credential: an ec2 credential blob must be a JSON object.');
  }
  if (typeof access !== 'string' || access === '') throw new BerthError('bad_request', 'Invalid blob in credential: an ec2 credential blob needs an access key.');
  return createHash('sha256').update(access).digest('hex');
}

export function credentialRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const key = () => creds.credentialKey(deps.db, newBoxKey);
  const render = async (req: FastifyRequest, c: CredentialRow) => ({
    ...parseExtra(c.extra),
    id: c.id, user_id: c.user_id, project_id: c.project_id, type: c.type, blob: open(await key(), c.blob),
    links: { self: `${v3(req)}/credentials/${c.id}` },
  });
  const load = async (id: string) => {
    const c = await creds.getCredential(q(), id);
    if (!c) throw notFoundError('credential', id);
    return c;
  };
  const checkRefs = async (userId: string, projectId: string | null) => {
    if (!(await repo.getUser(q(), userId))) throw new BerthError('bad_request', `Could not find user: ${userId}.`);
    if (projectId !== null && !(await repo.getProject(q(), projectId))) throw new BerthError('bad_request', `Could not find project: ${projectId}.`);
  };
  const duplicate = () => new BerthError('conflict', 'Conflict occurred attempting to store credential - Duplicate entry.');

  app.post('/credentials', { schema: { body: CredentialCreate } }, async (req, reply) => {
    const b = req.body.credential;
    enforce(deps.policy, req, 'identity:create_credential', { 'target.credential.user_id': b.user_id });
    const projectId = b.project_id ?? null;
    if (b.type === 'ec2' && projectId === null) throw new BerthError('bad_request', 'Invalid input for field project_id: an ec2 credential needs a project.');
    const id = b.type === 'ec2' ? ec2CredentialId(b.blob) : newId();
    await checkRefs(b.user_id, projectId);
    const extra = Object.fromEntries(Object.entries(b).filter(([k]) => !FIELDS.has(k)));
    const row: CredentialRow = {
      id, user_id: b.user_id, project_id: projectId, type: b.type, blob: seal(await key(), b.blob),
      extra: JSON.stringify(extra), created_at: new Date().toISOString(),
    };
    try {
      await creds.insertCredential(q(), row);
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate();
      throw e;
    }
    reply.code(201);
    return { credential: await render(req, row) };
  });

  app.get('/credentials', { schema: { querystring: CredentialQuery } }, async (req) => {
    const f = req.query;
    enforce(deps.policy, req, 'identity:list_credentials', { 'target.credential.user_id': f.user_id ?? req.auth.userId });
    // Keystone lists what the caller may read: others' credentials only to those the policy lets see them.
    const who = credentialsOf(req.auth);
    const base = { project_id: req.auth.projectId, user_id: req.auth.userId, domain_id: req.auth.domainId };
    const rows = (await creds.listCredentials(q(), { userId: f.user_id, type: f.type }))
      .filter((c) => deps.policy.check('identity:get_credential', who, { ...base, 'target.credential.user_id': c.user_id }));
    const out = [];
    for (const c of rows) out.push(await render(req, c));
    return { credentials: out, links: listLinks(req) };
  });

  app.get('/credentials/:id', { schema: { params: IdParam } }, async (req) => {
    const c = await load(req.params.id);
    enforce(deps.policy, req, 'identity:get_credential', { 'target.credential.user_id': c.user_id });
    return { credential: await render(req, c) };
  });

  app.patch('/credentials/:id', { schema: { params: IdParam, body: CredentialUpdate } }, async (req) => {
    const c = await load(req.params.id);
    enforce(deps.policy, req, 'identity:update_credential', { 'target.credential.user_id': c.user_id });
    const b = req.body.credential;
    const next: CredentialRow = {
      ...c,
      user_id: b.user_id ?? c.user_id,
      project_id: b.project_id === undefined ? c.project_id : b.project_id,
      type: b.type ?? c.type,
      extra: JSON.stringify({ ...parseExtra(c.extra), ...Object.fromEntries(Object.entries(b).filter(([k]) => !FIELDS.has(k))) }),
    };
    if (next.user_id !== c.user_id) enforce(deps.policy, req, 'identity:update_credential', { 'target.credential.user_id': next.user_id });
    const blob = b.blob ?? open(await key(), c.blob);
    if (next.type === 'ec2') {
      if (next.project_id === null) throw new BerthError('bad_request', 'Invalid input for field project_id: an ec2 credential needs a project.');
      ec2CredentialId(blob); // still a JSON object with an access key; the id given at creation stays
    }
    await checkRefs(next.user_id, next.project_id);
    if (b.blob !== undefined) next.blob = seal(await key(), b.blob);
    await creds.updateCredential(q(), c.id, { user_id: next.user_id, project_id: next.project_id, type: next.type, blob: next.blob, extra: next.extra });
    return { credential: await render(req, next) };
  });

  app.delete('/credentials/:id', { schema: { params: IdParam } }, async (req, reply) => {
    const c = await load(req.params.id);
    enforce(deps.policy, req, 'identity:delete_credential', { 'target.credential.user_id': c.user_id });
    if ((await creds.deleteCredential(q(), c.id)) === 0) throw notFoundError('credential', c.id);
    return reply.code(204).send();
  });
}
