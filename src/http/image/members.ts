import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import type { App } from '../app-type.js';
import { imageActorOf, type ImageHttpDeps } from './deps.js';
import { ImageId } from './images.js';
import { renderMember } from './render.js';

const MemberParams = Type.Object({ id: Type.String({ maxLength: 255 }), member: Type.String({ maxLength: 255 }) });
const bad = (m: string) => new BerthError('bad_request', m);

/** The one field of a member body (`member` to add, `status` to set), with Glance's messages. */
function field(body: unknown, key: 'member' | 'status', missing: string): string {
  if (body === undefined) throw bad('Body expected in request.');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad(`Expected a ${key} in the form: {"${key}": "..."}`);
  const v = (body as Record<string, unknown>)[key];
  if (v === undefined) throw bad(missing);
  if (typeof v !== 'string') throw bad(`Expected a ${key} in the form: {"${key}": "..."}`);
  if (v === '') throw bad(key === 'member' ? "Member can't be empty" : 'Status can\'t be empty');
  if (v.length > 255) throw bad(`The ${key} is at most 255 characters long.`);
  return v;
}

/** Image members: the projects a shared image is offered to, and whether they accepted. */
export function memberRoutes(app: App, deps: ImageHttpDeps): void {
  const actor = (req: Parameters<typeof imageActorOf>[1]) => imageActorOf(deps.policy, req);

  app.get('/images/:id/members', { schema: { params: ImageId } }, async (req) => ({
    members: (await deps.members.list(actor(req), req.params.id)).map(renderMember),
    schema: '/v2/schemas/members',
  }));
  app.post('/images/:id/members', { schema: { params: ImageId } }, async (req) =>
    renderMember(await deps.members.add(actor(req), req.params.id, field(req.body, 'member', 'Member to be added not specified'))));
  app.get('/images/:id/members/:member', { schema: { params: MemberParams } }, async (req) =>
    renderMember(await deps.members.get(actor(req), req.params.id, req.params.member)));
  app.put('/images/:id/members/:member', { schema: { params: MemberParams } }, async (req) =>
    renderMember(await deps.members.setStatus(actor(req), req.params.id, req.params.member, field(req.body, 'status', 'Status not specified'))));
  app.delete('/images/:id/members/:member', { schema: { params: MemberParams } }, async (req, reply) => {
    await deps.members.remove(actor(req), req.params.id, req.params.member);
    return reply.code(204).send();
  });
}
