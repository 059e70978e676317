import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RULES,
  Policy,
  PolicyError,
  PolicyNotAuthorized,
  keystoneForbiddenMessage,
  zunForbiddenMessage,
  type Credentials,
  type Target,
} from './index.js';

const admin: Credentials = { userId: 'u-admin', projectId: 'p-admin', roles: ['admin', 'member', 'reader'] };
const alice: Credentials = { userId: 'u-alice', projectId: 'p-1', domainId: 'd-1', roles: ['member', 'reader'] };
const rita: Credentials = { userId: 'u-rita', projectId: 'p-1', roles: ['reader'] };
const nobody: Credentials = { userId: 'u-nobody', projectId: 'p-1', roles: [] };
const unscoped: Credentials = { userId: 'u-alice', roles: [] };

test('evaluates rules against credentials and target', async (t) => {
  const policy = Policy.fromRules({
    admin_required: 'role:admin',
    reader: 'role:reader or role:member or role:admin',
    always: '@',
    never: '!',
    empty: '',
    own_project: 'project_id:%(project_id)s',
    own_user_nested: 'user_id:%(target.user.id)s',
    own_domain: 'domain_id:%(domain_id)s',
    reader_own: 'rule:admin_required or (rule:reader and project_id:%(project_id)s)',
    not_admin: 'not rule:admin_required',
    missing_ref: 'rule:does_not_exist',
    not_missing_ref: 'not rule:does_not_exist',
    role_from_target: 'role:%(required_role)s',
    literal_left: "'running':%(status)s",
    bool_literal: 'True:%(enabled)s',
    number_literal: '42:%(answer)s',
    roles_generic: 'roles:member',
    template: 'project_id:p-%(suffix)s',
    quoted_match: "user_id:'u-alice'",
    precedence: 'role:nope or role:member and not role:reader',
    upper_keywords: 'role:admin OR (role:member AND NOT role:banned)',
    default: 'rule:admin_required',
  });
  const cases: Array<[string, string, Credentials, Target, boolean]> = [
    ['role matches', 'admin_required', admin, {}, true],
    ['role missing', 'admin_required', alice, {}, false],
    ['role case-insensitive', 'admin_required', { ...alice, roles: ['Admin'] }, {}, true],
    ['@ always', 'always', nobody, {}, true],
    ['! never', 'never', admin, {}, false],
    ['empty always', 'empty', nobody, {}, true],
    ['own project', 'own_project', alice, { project_id: 'p-1' }, true],
    ['other project', 'own_project', alice, { project_id: 'p-2' }, false],
    ['target field missing', 'own_project', alice, {}, false],
    ['target field null', 'own_project', alice, { project_id: null }, false],
    ['target field object', 'own_project', alice, { project_id: { id: 'p-1' } }, false],
    ['unscoped creds never match', 'own_project', unscoped, { project_id: 'p-1' }, false],
    ['empty creds never match', 'own_project', { ...alice, projectId: '' }, { project_id: '' }, false],
    ['flat dotted key', 'own_user_nested', alice, { 'target.user.id': 'u-alice' }, true],
    ['nested dotted path', 'own_user_nested', alice, { target: { user: { id: 'u-alice' } } }, true],
    ['nested dotted path other', 'own_user_nested', alice, { target: { user: { id: 'u-bob' } } }, false],
    ['domain match', 'own_domain', alice, { domain_id: 'd-1' }, true],
    ['domain absent in creds', 'own_domain', rita, { domain_id: 'd-1' }, false],
    ['reader own: admin elsewhere', 'reader_own', admin, { project_id: 'p-9' }, true],
    ['reader own: reader', 'reader_own', rita, { project_id: 'p-1' }, true],
    ['reader own: reader elsewhere', 'reader_own', rita, { project_id: 'p-2' }, false],
    ['reader own: no role', 'reader_own', nobody, { project_id: 'p-1' }, false],
    ['not', 'not_admin', alice, {}, true],
    ['not admin', 'not_admin', admin, {}, false],
    ['missing reference is false', 'missing_ref', admin, {}, false],
    ['not missing reference', 'not_missing_ref', nobody, {}, true],
    ['role from target', 'role_from_target', alice, { required_role: 'member' }, true],
    ['role from target missing', 'role_from_target', alice, {}, false],
    ['literal left side', 'literal_left', nobody, { status: 'running' }, true],
    ['literal left side mismatch', 'literal_left', nobody, { status: 'stopped' }, false],
    ['boolean target Python-style', 'bool_literal', nobody, { enabled: true }, true],
    ['boolean target false', 'bool_literal', nobody, { enabled: false }, false],
    ['number target', 'number_literal', nobody, { answer: 42 }, true],
    ['generic against role list', 'roles_generic', alice, {}, true],
    ['generic against role list miss', 'roles_generic', rita, {}, false],
    ['template with literal text', 'template', alice, { suffix: '1' }, true],
    ['quoted match', 'quoted_match', alice, {}, true],
    ['and before or', 'precedence', alice, {}, false],
    ['and before or (no reader)', 'precedence', { ...alice, roles: ['member'] }, {}, true],
    ['upper-case keywords', 'upper_keywords', { ...alice, roles: ['member'] }, {}, true],
    ['upper-case keywords banned', 'upper_keywords', { ...alice, roles: ['member', 'banned'] }, {}, false],
    ['unknown action falls back to default', 'no:such:action', admin, {}, true],
    ['unknown action falls back to default (deny)', 'no:such:action', alice, {}, false],
  ];
  for (const [name, action, creds, target, want] of cases) {
    await t.test(name, () => {
      assert.equal(policy.check(action, creds, target), want);
    });
  }
});

test('extra credential properties are reachable by dotted generic checks', () => {
  const policy = Policy.fromRules({ sys: 'system_scope:all', tok: 'token.project.id:%(project_id)s' });
  const creds = { ...alice, system_scope: 'all', token: { project: { id: 'p-7' } } } as Credentials;
  assert.equal(policy.check('sys', creds), true);
  assert.equal(policy.check('sys', alice), false);
  assert.equal(policy.check('tok', creds, { project_id: 'p-7' }), true);
  assert.equal(policy.check('tok', creds, { project_id: 'p-1' }), false);
});

test('without a default rule an unknown action is denied', () => {
  const policy = Policy.fromRules({ a: '@' });
  assert.equal(policy.check('b', admin), false);
  assert.deepEqual(policy.describeRule('b'), { action: 'b', rule: 'default', text: undefined });
});

test('fromRules rejects syntax errors naming the rule', () => {
  assert.throws(
    () => Policy.fromRules({ fine: '@', 'container:create': 'role:admin or' }),
    (e: unknown) => e instanceof PolicyError && e.rule === 'container:create' && /container:create/.test(e.message),
  );
  assert.throws(
    () => Policy.fromRules({ bad: 42 as unknown as string }),
    (e: unknown) => e instanceof PolicyError && e.rule === 'bad',
  );
});

test('rejects rule reference cycles', async (t) => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['self', { a: 'rule:a' }, /a -> a/],
    ['pair', { a: 'rule:b', b: 'role:x or rule:a' }, /(a -> b -> a|b -> a -> b)/],
    ['long', { a: 'rule:b', b: 'rule:c', c: 'not rule:a', d: '@' }, /a -> b -> c -> a/],
    ['via default', { default: 'rule:x', x: 'rule:default' }, /default -> x -> default/],
  ];
  for (const [name, rules, msg] of cases) {
    await t.test(name, () => {
      assert.throws(() => Policy.fromRules(rules), (e: unknown) => e instanceof PolicyError && msg.test(e.message));
    });
  }
  await t.test('diamond is not a cycle', () => {
    const p = Policy.fromRules({ a: 'rule:b and rule:c', b: 'rule:d', c: 'rule:d', d: '@' });
    assert.equal(p.check('a', nobody), true);
  });
});

test('rules() returns a copy of the rule texts', () => {
  const p = Policy.fromRules({ a: '@', b: 'role:x' });
  const r = p.rules();
  assert.deepEqual(r, { a: '@', b: 'role:x' });
  r.a = '!';
  assert.equal(p.check('a', nobody), true);
});

test('describeRule names the deciding rule', () => {
  const p = Policy.fromRules({ ...DEFAULT_RULES });
  assert.deepEqual(p.describeRule('container:stop'), {
    action: 'container:stop',
    rule: 'container:stop',
    text: DEFAULT_RULES['container:stop'],
  });
  assert.deepEqual(p.describeRule('container:unknown'), {
    action: 'container:unknown',
    rule: 'default',
    text: 'rule:admin_required',
  });
  assert.equal(p.has('container:stop'), true);
  assert.equal(p.has('container:unknown'), false);
});

test('enforce throws PolicyNotAuthorized with the action', () => {
  const p = Policy.fromRules({ ...DEFAULT_RULES });
  assert.doesNotThrow(() => p.enforce('container:stop', alice, { project_id: 'p-1' }));
  assert.throws(
    () => p.enforce('container:create:privileged', alice, { project_id: 'p-1' }),
    (e: unknown) =>
      e instanceof PolicyNotAuthorized &&
      e.action === 'container:create:privileged' &&
      e.message === "Policy doesn't allow container:create:privileged to be performed.",
  );
});

test('forbidden messages match Zun and Keystone wording', () => {
  assert.equal(
    zunForbiddenMessage('container:create:privileged'),
    "Policy doesn't allow container:create:privileged to be performed.",
  );
  assert.equal(
    keystoneForbiddenMessage('identity:create_project'),
    'You are not authorized to perform the requested action: identity:create_project.',
  );
});
