// ESLint (flat config): typescript-eslint's recommended rules, React's hook rules, and the layers of
// docs/architecture.md ("Layers") enforced by eslint-plugin-boundaries. `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';

/** The layers, lowest first. A file belongs to the first element whose pattern matches it. */
const elements = [
  // Test support may import anything (it is not shipped); test files themselves are not checked (see ignore below).
  { type: 'test', partialMatch: false, pattern: ['test', 'e2e'] },
  { type: 'shared', partialMatch: false, pattern: 'shared' },
  { type: 'domain', partialMatch: false, pattern: 'main/domain' },
  { type: 'db', partialMatch: false, pattern: 'main/db' },
  { type: 'kernel', partialMatch: false, pattern: 'main/kernel' },
  { type: 'services', partialMatch: false, pattern: 'main/services' },
  { type: 'ipc', partialMatch: false, pattern: 'main/ipc' },
  // The composition root (the handler map, the close's steps) and the start-up that stands on it.
  { type: 'app', partialMatch: false, pattern: 'main/app' },
  { type: 'http', partialMatch: false, pattern: 'main/http' },
  { type: 'electron', partialMatch: false, pattern: 'main/electron' },
  { type: 'cli', partialMatch: false, pattern: 'main/cli' },
  { type: 'renderer', partialMatch: false, pattern: 'renderer' },
];

/** What each layer may import (besides packages). Everything else between these layers is refused. */
const below = {
  shared: ['shared'],
  domain: ['domain', 'shared'],
  db: ['db', 'domain', 'shared'],
  kernel: ['kernel', 'db', 'domain', 'shared'],
  services: ['services', 'kernel', 'db', 'domain', 'shared'],
  ipc: ['ipc', 'services', 'kernel', 'db', 'domain', 'shared'],
  app: ['app', 'ipc', 'services', 'kernel', 'db', 'domain', 'shared'],
  http: ['http', 'app', 'ipc', 'services', 'kernel', 'db', 'domain', 'shared'],
  electron: ['electron', 'http', 'app', 'ipc', 'services', 'kernel', 'db', 'domain', 'shared'],
  cli: ['cli', 'electron', 'http', 'app', 'ipc', 'services', 'kernel', 'db', 'domain', 'shared'],
  renderer: ['renderer', 'shared'],
  test: elements.map((e) => e.type),
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'build/**', 'release/**', 'bench/results/**', 'playwright-report/**', 'test-results/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,cts,mts}'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { boundaries, 'react-hooks': reactHooks },
    settings: {
      'boundaries/elements': elements,
      'boundaries/include': ['main/**', 'shared/**', 'renderer/**', 'test/**', 'e2e/**'],
      // A test file may reach into any layer; a file of main/ that is in no layer is refused (no-unknown-files).
      'boundaries/ignore': ['**/*.test.ts', '**/*.test.tsx'],
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.cts', '.mts', '.js', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: Object.entries(below).map(([from, to]) => ({
            from: { element: { type: from } },
            allow: { to: { element: { types: { anyOf: to } } } },
          })),
        },
      ],
      'boundaries/no-unknown-files': 'error',
      'boundaries/no-unknown-dependencies': 'error',
      // A closure that reads the variable before its one assignment (main/db/copy.ts) needs `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // The code base's own conventions (see docs/architecture.md): unused names start with '_'.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests build malformed input on purpose and read loosely typed JSON answers.
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
