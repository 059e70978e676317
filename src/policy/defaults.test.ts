import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_RULES, CONTAINER_RULES, DEFAULT_RULES, IDENTITY_RULES, IMAGE_RULES, Policy, type Credentials, type Target } from './index.js';
import { parseRule, ruleReferences } from './parser.js';
import { COMPUTE_RULES, STACK_RULES } from './defaults.js';

const policy = Policy.fromRules({ ...DEFAULT_RULES });

const admin: Credentials = { userId: 'u-admin', projectId: 'p-admin', roles: ['admin'] };
const member: Credentials = { userId: 'u-mem', projectId: 'p-1', roles: ['member'] };
const reader: Credentials = { userId: 'u-read', projectId: 'p-1', roles: ['reader'] };
const norole: Credentials = { userId: 'u-none', projectId: 'p-1', roles: [] };

const own: Target = { project_id: 'p-1' };
const other: Target = { project_id: 'p-2' };

test('every default rule parses and every reference resolves', () => {
  assert.equal(
    Object.keys(DEFAULT_RULES).length,
    Object.keys(BASE_RULES).length + Object.keys(IDENTITY_RULES).length + Object.keys(CONTAINER_RULES).length + Object.keys(IMAGE_RULES).length + Object.keys(COMPUTE_RULES).length + Object.keys(STACK_RULES).length,
    'rule groups must not overlap',
  );
  for (const [name, text] of Object.entries(DEFAULT_RULES)) {
    for (const ref of ruleReferences(parseRule(name, text))) {
      assert.ok(ref in DEFAULT_RULES, `${name} refers to missing rule ${ref}`);
    }
  }
  assert.equal(DEFAULT_RULES.default, 'rule:admin_required');
});

// [action, who, target, allowed]
type Row = [string, Credentials, Target, boolean];

const MEMBER_ACTIONS = [
  'container:create', 'container:delete', 'container:delete_force', 'container:update', 'container:start',
  'container:stop', 'container:reboot', 'container:pause', 'container:unpause', 'container:logs',
  'container:execute', 'container:execute_resize', 'container:kill', 'container:rename', 'container:attach',
  'container:resize', 'container:get_archive', 'container:put_archive', 'container:commit',
];
const READER_ACTIONS = ['container:get_one', 'container:get_all', 'container:top', 'container:stats', 'container:actions'];
const ADMIN_ACTIONS = [
  'container:create:runtime', 'container:create:privileged', 'container:create:host_mounts',
  'container:create:host_namespaces', 'container:create:capabilities', 'container:create:devices',
  'container:create:requested_destination', 'container:delete_all_projects', 'container:get_one:host',
  'container:get_all_all_projects', 'host:get_all', 'host:get', 'zun-service:get_all', 'zun-service:delete',
  'zun-service:update', 'berth:host_credentials',
  'identity:get_domain', 'identity:list_domains', 'identity:create_domain', 'identity:update_domain',
  'identity:delete_domain', 'identity:list_projects', 'identity:create_project', 'identity:update_project',
  'identity:delete_project', 'identity:list_users', 'identity:create_user', 'identity:update_user',
  'identity:delete_user', 'identity:get_role', 'identity:list_roles', 'identity:create_role',
  'identity:update_role', 'identity:delete_role', 'identity:list_role_assignments', 'identity:check_grant',
  'identity:list_grants', 'identity:create_grant', 'identity:revoke_grant', 'identity:get_service',
  'identity:list_services', 'identity:get_endpoint', 'identity:list_endpoints', 'identity:get_region',
  'identity:list_regions', 'identity:update_project_tags', 'identity:create_project_tag', 'identity:delete_project_tag',
  'identity:delete_project_tags', 'some:unknown_action',
];

const rows: Row[] = [];
for (const a of MEMBER_ACTIONS) {
  rows.push([a, admin, other, true], [a, member, own, true], [a, member, other, false]);
  rows.push([a, reader, own, false], [a, norole, own, false]);
}
for (const a of READER_ACTIONS) {
  rows.push([a, admin, other, true], [a, member, own, true], [a, reader, own, true]);
  rows.push([a, reader, other, false], [a, member, other, false], [a, norole, own, false]);
}
for (const a of ADMIN_ACTIONS) {
  rows.push([a, admin, own, true], [a, member, own, false], [a, reader, own, false]);
}
rows.push(
  // own project / other project
  ['identity:get_project', member, { 'target.project.id': 'p-1' }, true],
  ['identity:get_project', norole, { 'target.project.id': 'p-1' }, true],
  ['identity:get_project', member, { 'target.project.id': 'p-2' }, false],
  ['identity:get_project', admin, { 'target.project.id': 'p-2' }, true],
  // self / other user
  ['identity:get_user', norole, { 'target.user.id': 'u-none' }, true],
  ['identity:get_user', member, { 'target.user.id': 'u-other' }, false],
  ['identity:get_user', admin, { 'target.user.id': 'u-other' }, true],
  ['identity:list_user_projects', member, { 'target.user.id': 'u-mem' }, true],
  ['identity:list_user_projects', member, { 'target.user.id': 'u-other' }, false],
  ['identity:list_user_projects', admin, { 'target.user.id': 'u-other' }, true],
  // Keystone enforces no rule on a password change: the original password in the request decides
  ['identity:change_password', member, { user_id: 'u-mem' }, true],
  ['identity:change_password', admin, { user_id: 'u-other' }, true],
  // one's own domain: scoped to it, or to a project in it
  ['identity:get_domain', { ...member, projectDomainId: 'd-1' }, { 'target.domain.id': 'd-1' }, true],
  ['identity:get_domain', { userId: 'u-mem', domainId: 'd-1', roles: ['reader'] }, { 'target.domain.id': 'd-1' }, true],
  ['identity:get_domain', { ...member, projectDomainId: 'd-1' }, { 'target.domain.id': 'd-2' }, false],
  // project listings: admins, and readers of the domain listed
  ['identity:list_projects', { userId: 'u-read', domainId: 'd-1', roles: ['reader'] }, { 'target.domain_id': 'd-1' }, true],
  ['identity:list_projects', { userId: 'u-read', domainId: 'd-1', roles: ['reader'] }, { 'target.domain_id': 'd-2' }, false],
  ['identity:list_projects', { ...member, projectDomainId: 'd-1' }, { 'target.domain_id': 'd-1' }, false],
  // tags of one's own project are readable
  ['identity:list_project_tags', reader, { 'target.project.id': 'p-1' }, true],
  ['identity:get_project_tag', member, { 'target.project.id': 'p-2' }, false],
  // own tokens
  ['identity:validate_token', member, { 'target.token.user_id': 'u-mem' }, true],
  ['identity:validate_token', member, { 'target.token.user_id': 'u-other' }, false],
  ['identity:validate_token', admin, { 'target.token.user_id': 'u-other' }, true],
  ['identity:check_token', reader, { 'target.token.user_id': 'u-read' }, true],
  ['identity:revoke_token', member, { 'target.token.user_id': 'u-mem' }, true],
  ['identity:revoke_token', member, { 'target.token.user_id': 'u-other' }, false],
  // anyone authenticated
  ['identity:get_auth_catalog', norole, {}, true],
  ['identity:get_auth_projects', norole, {}, true],
  ['identity:get_auth_domains', norole, {}, true],
  // creds without a project never match a project target
  ['container:get_all', { userId: 'u-mem', roles: ['member'] }, own, false],
);

test('default rules decide who may do what', async (t) => {
  for (const [action, creds, target, want] of rows) {
    await t.test(`${action} ${creds.userId} ${JSON.stringify(target)} -> ${want}`, () => {
      assert.equal(policy.check(action, creds, target), want);
    });
  }
});
