import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRule, PolicyError, ruleReferences, type RuleNode } from './parser.js';

const role = (r: string): RuleNode => ({ t: 'role', match: { parts: [{ lit: r }] } });
const ref = (name: string): RuleNode => ({ t: 'rule', name });
const ownProject: RuleNode = {
  t: 'generic',
  kind: { path: ['project_id'] },
  match: { parts: [{ field: 'project_id' }] },
};

test('parses rule text into trees', async (t) => {
  const cases: Array<[string, RuleNode]> = [
    ['', { t: 'true' }],
    ['   ', { t: 'true' }],
    ['@', { t: 'true' }],
    ['!', { t: 'false' }],
    ['role:admin', role('admin')],
    ['rule:admin_required', ref('admin_required')],
    ['rule:container:create:privileged', ref('container:create:privileged')],
    ['project_id:%(project_id)s', ownProject],
    ['(project_id:%(project_id)s)', ownProject],
    ['((project_id:%(project_id)s))', ownProject],
    ['role:admin or role:member', { t: 'or', items: [role('admin'), role('member')] }],
    ['role:admin OR role:member', { t: 'or', items: [role('admin'), role('member')] }],
    ['role:a or role:b or role:c', { t: 'or', items: [role('a'), role('b'), role('c')] }],
    ['role:a and role:b', { t: 'and', items: [role('a'), role('b')] }],
    // and binds tighter than or
    [
      'role:a or role:b and role:c',
      { t: 'or', items: [role('a'), { t: 'and', items: [role('b'), role('c')] }] },
    ],
    [
      '(role:a or role:b) and role:c',
      { t: 'and', items: [{ t: 'or', items: [role('a'), role('b')] }, role('c')] },
    ],
    // not binds tighter than and
    ['not role:a and role:b', { t: 'and', items: [{ t: 'not', item: role('a') }, role('b')] }],
    ['not (role:a and role:b)', { t: 'not', item: { t: 'and', items: [role('a'), role('b')] } }],
    ['not not @', { t: 'not', item: { t: 'not', item: { t: 'true' } } }],
    [
      'rule:admin_required or (rule:reader and project_id:%(project_id)s)',
      { t: 'or', items: [ref('admin_required'), { t: 'and', items: [ref('reader'), ownProject] }] },
    ],
    [
      "'member':%(role)s",
      { t: 'generic', kind: { literal: 'member' }, match: { parts: [{ field: 'role' }] } },
    ],
    [
      "'a b:c':%(name)s",
      { t: 'generic', kind: { literal: 'a b:c' }, match: { parts: [{ field: 'name' }] } },
    ],
    [
      '"x":%(name)s',
      { t: 'generic', kind: { literal: 'x' }, match: { parts: [{ field: 'name' }] } },
    ],
    [
      'True:%(enabled)s',
      { t: 'generic', kind: { literal: 'True' }, match: { parts: [{ field: 'enabled' }] } },
    ],
    [
      "status:'Running'",
      { t: 'generic', kind: { path: ['status'] }, match: { parts: [{ lit: 'Running' }] } },
    ],
    [
      'user_id:%(target.user.id)s',
      { t: 'generic', kind: { path: ['user_id'] }, match: { parts: [{ field: 'target.user.id' }] } },
    ],
    [
      'token.project.id:pre-%(x)s-%%',
      {
        t: 'generic',
        kind: { path: ['token', 'project', 'id'] },
        match: { parts: [{ lit: 'pre-' }, { field: 'x' }, { lit: '-%' }] },
      },
    ],
    ['role:%(role)s', { t: 'role', match: { parts: [{ field: 'role' }] } }],
  ];
  for (const [text, want] of cases) {
    await t.test(JSON.stringify(text), () => {
      assert.deepEqual(parseRule('r', text), want);
    });
  }
});

test('rejects syntax errors with a PolicyError naming the rule', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['role:admin or', /unexpected end of rule/],
    ['and role:admin', /unexpected "and"/],
    ['role:admin role:member', /unexpected "role:member"/],
    ['(role:admin', /missing "\)"/],
    ['role:admin)', /unexpected "\)"/],
    ['()', /unexpected "\)"/],
    ['not', /unexpected end of rule/],
    ['admin', /not a check/],
    ['role:', /missing match/],
    [':admin', /missing kind/],
    ['rule:', /missing match/],
    ['project_id:%(project_id)', /bad substitution/],
    ['project_id:%(project_id', /bad substitution/],
    ['project_id:%project_id', /bad substitution/],
    ['project_id:%()s', /bad substitution field/],
    ["'unterminated:%(x)s", /unterminated quote/],
    ["'x'y:%(x)s", /expected ":" after quoted literal/],
    ['a$b:c', /invalid check kind/],
    ['a..b:c', /invalid check kind/],
    ['rule:%(x)s', /may not use substitutions/],
    ['http://example.com/check:x', /not supported/],
    ['role:admin and or role:member', /unexpected "or"/],
  ];
  for (const [text, msg] of cases) {
    await t.test(JSON.stringify(text), () => {
      assert.throws(
        () => parseRule('container:create', text),
        (e: unknown) => {
          assert.ok(e instanceof PolicyError);
          assert.equal(e.rule, 'container:create');
          assert.match(e.message, /"container:create"/);
          assert.match(e.message, msg);
          return true;
        },
      );
    });
  }
});

test('collects rule references', () => {
  const refs = ruleReferences(parseRule('r', 'rule:a or (not rule:b and role:x) or rule:a'));
  assert.deepEqual([...refs].sort(), ['a', 'b']);
});
