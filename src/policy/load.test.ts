import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULES, PolicyError, type Credentials } from './index.js';
import { loadPolicy } from './load.js';

const admin: Credentials = { userId: 'u-admin', projectId: 'p-admin', roles: ['admin', 'member', 'reader'] };
const alice: Credentials = { userId: 'u-alice', projectId: 'p-1', domainId: 'd-1', roles: ['member', 'reader'] };
const nobody: Credentials = { userId: 'u-nobody', projectId: 'p-1', roles: [] };

const withTmpDir = (fn: (dir: string) => void): void => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-policy-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('loadPolicy() without a file gives the defaults', () => {
  const p = loadPolicy();
  assert.deepEqual(p.rules(), { ...DEFAULT_RULES });
});

test('loadPolicy() overrides defaults from YAML and JSON files', async (t) => {
  const cases: Array<[string, string, string]> = [
    [
      'yaml',
      'policy.yaml',
      [
        '# operators may let members run privileged containers',
        '"container:create:privileged": "rule:member and project_id:%(project_id)s"',
        'custom:rule: "role:auditor"',
        '',
      ].join('\n'),
    ],
    [
      'json',
      'policy.json',
      JSON.stringify({
        'container:create:privileged': 'rule:member and project_id:%(project_id)s',
        'custom:rule': 'role:auditor',
      }),
    ],
    [
      'json under a .yaml name',
      'policy.yaml',
      JSON.stringify({
        'container:create:privileged': 'rule:member and project_id:%(project_id)s',
        'custom:rule': 'role:auditor',
      }),
    ],
  ];
  for (const [name, fileName, content] of cases) {
    await t.test(name, () => {
      withTmpDir((dir) => {
        const file = join(dir, fileName);
        writeFileSync(file, content);
        const p = loadPolicy(file);
        assert.equal(p.check('container:create:privileged', alice, { project_id: 'p-1' }), true);
        assert.equal(p.check('container:create:privileged', alice, { project_id: 'p-2' }), false);
        assert.equal(p.check('custom:rule', { ...nobody, roles: ['auditor'] }), true);
        // untouched defaults stay
        assert.equal(p.check('container:create:runtime', alice, { project_id: 'p-1' }), false);
        assert.equal(p.rules()['container:stop'], DEFAULT_RULES['container:stop']);
      });
    });
  }
});

test('loadPolicy() accepts an empty or comment-only file', () => {
  withTmpDir((dir) => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, '# nothing overridden\n');
    assert.deepEqual(loadPolicy(file).rules(), { ...DEFAULT_RULES });
    writeFileSync(file, '');
    assert.deepEqual(loadPolicy(file).rules(), { ...DEFAULT_RULES });
  });
});

test('loadPolicy() accepts the legacy list-of-lists form', () => {
  withTmpDir((dir) => {
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        'container:stop': [['role:member', 'project_id:%(project_id)s'], ['role:admin']],
        'container:start': [],
        'container:pause': [[]],
      }),
    );
    const p = loadPolicy(file);
    assert.equal(p.check('container:stop', alice, { project_id: 'p-1' }), true);
    assert.equal(p.check('container:stop', alice, { project_id: 'p-2' }), false);
    assert.equal(p.check('container:stop', admin, { project_id: 'p-2' }), true);
    assert.equal(p.check('container:start', nobody), true);
    assert.equal(p.check('container:pause', admin), false);
  });
});

test('loadPolicy() errors', async (t) => {
  const cases: Array<[string, string | undefined, RegExp, string | undefined]> = [
    ['missing file', undefined, /Cannot read policy file/, undefined],
    ['syntax error names the rule', '"container:stop": "role:member and"\n', /"container:stop".*unexpected end/, 'container:stop'],
    ['non-string value', 'container:stop: 42\n', /"container:stop".*must be a string/, 'container:stop'],
    ['null value', 'container:stop:\n', /"container:stop".*must be a string/, 'container:stop'],
    ['not a mapping', '- role:admin\n', /must contain a mapping/, undefined],
    ['invalid YAML', 'a: "unterminated\n', /not valid YAML or JSON/, undefined],
    ['duplicate key', 'a: "@"\na: "!"\n', /not valid YAML or JSON/, undefined],
    ['cycle through defaults', 'admin_required: "rule:default"\n', /default -> admin_required -> default|admin_required -> default -> admin_required/, undefined],
  ];
  for (const [name, content, msg, rule] of cases) {
    await t.test(name, () => {
      withTmpDir((dir) => {
        const file = join(dir, 'policy.yaml');
        if (content !== undefined) writeFileSync(file, content);
        assert.throws(
          () => loadPolicy(file),
          (e: unknown) => {
            assert.ok(e instanceof PolicyError);
            assert.match(e.message, msg);
            if (rule !== undefined) assert.equal(e.rule, rule);
            return true;
          },
        );
      });
    });
  }
});
