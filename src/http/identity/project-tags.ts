import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import * as repo from '../../store/identity-repo.js';
import { enforce } from '../auth.js';
import type { IdentityDeps } from './deps.js';
import { loadProject } from './projects.js';
import { v3 } from './render.js';
import { IdParam, TagParams, TagsBody } from './schemas.js';

/** Keystone's project tags: /projects/{id}/tags and /projects/{id}/tags/{tag}, and the listing filters. */

const MAX_TAGS = 80;

const split = (v: string | undefined) => (v === undefined ? undefined : v.split(',').filter((t) => t !== ''));

/**
 * The predicate of Keystone's tag filters on a project listing, or undefined when none is given:
 * `tags` (has all), `tags-any` (has one), `not-tags` (lacks one at least), `not-tags-any` (has none).
 */
export function tagFilter(q: { tags?: string; 'tags-any'?: string; 'not-tags'?: string; 'not-tags-any'?: string }) {
  const all = split(q.tags);
  const any = split(q['tags-any']);
  const notAll = split(q['not-tags']);
  const notAny = split(q['not-tags-any']);
  if (!all && !any && !notAll && !notAny) return undefined;
  return (tags: string[]) => {
    const has = (t: string) => tags.includes(t);
    return (!all || all.every(has)) && (!any || any.some(has))
      && (!notAll || !notAll.every(has)) && (!notAny || !notAny.some(has));
  };
}

function checkTag(tag: string): void {
  if (tag.length > 255 || /[/,]/.test(tag))
    throw new BerthError('bad_request', `Invalid input for field 'tag': '${tag}' must be at most 255 characters and contain no '/' or ','.`);
}

export function projectTagRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const tagsOf = (p: { tags: string }) => JSON.parse(p.tags) as string[];
  /** Writes a project's tags as `change` makes them from the current ones. */
  const writeTags = (id: string, change: (tags: string[]) => string[]) =>
    deps.db.tx(async (trx) => {
      const next = change(tagsOf(await loadProject(trx, id)));
      await repo.updateProject(trx, id, { tags: JSON.stringify(next) });
      return next;
    }).finally(repo.projectsChanged);

  app.get('/projects/:id/tags', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_project_tags', { 'target.project.id': req.params.id });
    return { tags: tagsOf(await loadProject(q(), req.params.id)) };
  });
  app.put('/projects/:id/tags', { schema: { params: IdParam, body: TagsBody } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_project_tags', { 'target.project.id': req.params.id });
    const tags = await writeTags(req.params.id, () => [...new Set(req.body.tags)]);
    return { tags, links: { self: `${v3(req)}/projects/${req.params.id}/tags` } };
  });
  app.delete('/projects/:id/tags', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_project_tags', { 'target.project.id': req.params.id });
    await writeTags(req.params.id, () => []);
    return reply.code(204).send();
  });

  const check = async (id: string, tag: string) => {
    if (!tagsOf(await loadProject(q(), id)).includes(tag)) throw new BerthError('not_found', `Could not find tag: ${tag}.`);
  };
  app.get('/projects/:id/tags/:tag', { schema: { params: TagParams } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:get_project_tag', { 'target.project.id': req.params.id });
    await check(req.params.id, req.params.tag);
    return reply.code(204).send();
  });
  app.head('/projects/:id/tags/:tag', { schema: { params: TagParams } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:get_project_tag', { 'target.project.id': req.params.id });
    await check(req.params.id, req.params.tag);
    return reply.code(204).send();
  });
  app.put('/projects/:id/tags/:tag', { schema: { params: TagParams } }, async (req, reply) => {
    const { id, tag } = req.params;
    enforce(deps.policy, req, 'identity:create_project_tag', { 'target.project.id': id });
    checkTag(tag);
    await writeTags(id, (tags) => {
      if (tags.includes(tag)) return tags;
      if (tags.length >= MAX_TAGS) throw new BerthError('bad_request', `A project has at most ${MAX_TAGS} tags.`);
      return [...tags, tag];
    });
    return reply.code(201).header('location', `${v3(req)}/projects/${id}/tags/${encodeURIComponent(tag)}`).send();
  });
  app.delete('/projects/:id/tags/:tag', { schema: { params: TagParams } }, async (req, reply) => {
    const { id, tag } = req.params;
    enforce(deps.policy, req, 'identity:delete_project_tag', { 'target.project.id': id });
    await writeTags(id, (tags) => {
      if (!tags.includes(tag)) throw new BerthError('not_found', `Could not find tag: ${tag}.`);
      return tags.filter((t) => t !== tag);
    });
    return reply.code(204).send();
  });
}
