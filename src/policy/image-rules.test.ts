import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RULES, Policy, type Credentials, type Target } from './index.js';

const policy = Policy.fromRules({ ...DEFAULT_RULES });

const admin: Credentials = { userId: 'u-admin', projectId: 'p-admin', roles: ['admin'] };
const member: Credentials = { userId: 'u-mem', projectId: 'p-1', roles: ['member'] };
const reader: Credentials = { userId: 'u-read', projectId: 'p-1', roles: ['reader'] };
const outsider: Credentials = { userId: 'u-out', projectId: 'p-2', roles: ['member'] };

/** An image owned by p-1 (visibility given), as the service passes it; `member` names the caller if it is one. */
const image = (visibility: string, member: string | null = null): Target =>
  ({ project_id: 'p-1', owner: 'p-1', visibility, member_id: member });

const cases: { name: string; rule: string; who: Credentials; target: Target; want: boolean }[] = [
  { name: 'a member creates in its project', rule: 'image:add_image', who: member, target: { project_id: 'p-1', owner: 'p-1' }, want: true },
  { name: 'a member creates for another project', rule: 'image:add_image', who: member, target: { project_id: 'p-2', owner: 'p-2' }, want: false },
  { name: 'a reader creates nothing', rule: 'image:add_image', who: reader, target: { project_id: 'p-1', owner: 'p-1' }, want: false },
  { name: 'an admin creates for anyone', rule: 'image:add_image', who: admin, target: { project_id: 'p-9', owner: 'p-9' }, want: true },
  { name: 'only an admin publicizes', rule: 'image:publicize_image', who: member, target: image('private'), want: false },
  { name: 'an admin publicizes', rule: 'image:publicize_image', who: admin, target: image('private'), want: true },
  { name: 'the owner communitizes', rule: 'image:communitize_image', who: member, target: image('private'), want: true },
  { name: 'a reader reads its own image', rule: 'image:get_image', who: reader, target: image('private'), want: true },
  { name: 'others read public images', rule: 'image:get_image', who: outsider, target: image('public'), want: true },
  { name: 'others read community images', rule: 'image:get_image', who: outsider, target: image('community'), want: true },
  { name: 'others may not read private images', rule: 'image:get_image', who: outsider, target: image('private'), want: false },
  { name: 'a member project downloads a shared image', rule: 'image:download_image', who: outsider, target: image('shared', 'p-2'), want: true },
  { name: 'a reader downloads nothing', rule: 'image:download_image', who: reader, target: image('private'), want: false },
  { name: 'others may not modify', rule: 'image:modify_image', who: outsider, target: image('public'), want: false },
  { name: 'the owner modifies', rule: 'image:modify_image', who: member, target: image('public'), want: true },
  { name: 'the owner deactivates', rule: 'image:deactivate', who: member, target: image('private'), want: true },
  { name: 'others may not deactivate', rule: 'image:deactivate', who: outsider, target: image('public'), want: false },
  { name: 'the owner adds members', rule: 'image:add_member', who: member, target: image('shared'), want: true },
  { name: 'a member may not add members', rule: 'image:add_member', who: outsider, target: image('shared', 'p-2'), want: false },
  { name: 'a member reads its membership', rule: 'image:get_member', who: outsider, target: image('shared', 'p-2'), want: true },
  { name: 'a non-member reads no membership', rule: 'image:get_members', who: outsider, target: image('shared'), want: false },
  { name: 'the member sets its own status', rule: 'image:modify_member', who: outsider, target: image('shared', 'p-2'), want: true },
  { name: 'the owner may not set a member\'s status', rule: 'image:modify_member', who: member, target: image('shared', 'p-2'), want: false },
  { name: 'listing needs a reader of the project', rule: 'image:get_images', who: reader, target: { project_id: 'p-1' }, want: true },
];

for (const c of cases) test(`image policy: ${c.name}`, () => assert.equal(policy.check(c.rule, c.who, c.target), c.want));
