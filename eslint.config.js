// ESLint for Berth: typescript-eslint's type-checked rules, and the import boundaries between folders.
// `npm run lint` runs it; `npm test` runs it before the tests.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Import boundaries. In flat config the last matching block sets a rule for a file (blocks do not merge
// options), so each block below lists everything forbidden for its files.
const HTTP = {
  paths: [{ name: 'fastify', message: 'Only src/http talks HTTP (Fastify).' }],
  patterns: [{ group: ['@fastify/*'], message: 'Only src/http talks HTTP (Fastify).' }],
};
const SQL = {
  paths: ['kysely', 'pg', 'better-sqlite3'].map((name) => ({ name, message: 'Only src/store builds SQL; add a repository function there.' })),
  patterns: [],
};
// Pure decision code: plain data in, plain data out. Node's I/O modules (with or without `node:`, and
// their subpaths such as fs/promises), the engine, database and HTTP packages, and Berth's own I/O folders.
const IO = {
  paths: ['dockerode', 'ws'].map((name) => ({ name, message: 'Pure decision code does no I/O.' })),
  patterns: [
    { regex: '^(node:)?(fs|net|http|https|child_process)(/.*)?$', message: 'Pure decision code does no I/O.' },
    // Row and claim types are plain data: importing their types only is allowed (erased at build).
    { regex: '^(\\.\\./)+(store|engine|server|http)(/|$)', allowTypeImports: true, message: 'Pure decision code does not depend on src/store, src/engine, src/server or src/http.' },
  ],
};
const restrict = (...sets) => ['error', { paths: sets.flatMap((s) => s.paths), patterns: sets.flatMap((s) => s.patterns) }];

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.berth/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_`-prefixed names are deliberately unused: destructuring a field away, a callback's unused argument.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Fastify route handlers and plugins are async functions by contract (an async handler's return
      // value is the reply), so many have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // node:test's test(), describe() and it() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
    },
  },
  {
    // Tests read JSON answers (typed `any`) and check them with assertions, which are the type check
    // here; flagging every property read of a parsed answer is noise.
    files: ['test/**/*.ts', 'src/**/*.test.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Migrations take Kysely<any> as Kysely recommends: they must not depend on the current schema type.
    files: ['src/store/migrations/**/*.ts', 'src/store/migrations.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['eslint.config.js'],
    extends: [js.configs.recommended, tseslint.configs.disableTypeChecked],
  },

  // Boundaries apply to src/. Tests and benchmarks drive the whole stack (create databases, read raw
  // tables, start servers), so they may import any layer.
  { files: ['src/**/*.ts'], ignores: ['src/http/**', 'src/store/**'], rules: { 'no-restricted-imports': restrict(HTTP, SQL) } },
  { files: ['src/http/**/*.ts'], rules: { 'no-restricted-imports': restrict(SQL) } },
  {
    // A transaction handed to other code can still build SQL without importing Kysely: the query builder's
    // entry points are for src/store alone.
    files: ['src/**/*.ts'],
    ignores: ['src/store/**', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'CallExpression[callee.property.name=/^(selectFrom|updateTable|insertInto|deleteFrom|replaceInto|mergeInto)$/]',
        message: 'Only src/store builds SQL; add a repository function there.',
      }],
    },
  },
  { files: ['src/store/**/*.ts'], rules: { 'no-restricted-imports': restrict(HTTP) } },
  {
    files: ['src/scheduler/**/*.ts', 'src/policy/**/*.ts', 'src/container/state.ts', 'src/container/decide*.ts', 'src/quota/**/*.ts'],
    // The policy file loader (and its test) is the one part of src/policy that reads a file.
    ignores: ['src/policy/load.ts', 'src/policy/load.test.ts'],
    rules: { 'no-restricted-imports': restrict(HTTP, SQL, IO) },
  },
);
