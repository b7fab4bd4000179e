// Lint (npm run lint, part of npm test): ESLint's and typescript-eslint's recommended rules, plus the type-aware
// rules that catch what tests rarely do: a promise nobody awaits, a promise where a callback is expected.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', 'coverage/', 'test/conformance/', 'test/replay-histories/', 'charts/', 'scratch/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // A `let` assigned once, late, but read earlier by a closure (a metrics callback asking for the worker) is meant.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read answers and payloads as loose JSON.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The template engine ports Go byte by byte: its ASCII and control-character ranges are meant.
    files: ['src/template/**'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.cts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `import { type A }` still loads its module (verbatimModuleSyntax keeps `import {} from`): a file that needs
      // only types says `import type`, so the boundaries tests can tell a type import from a load.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // tsc checks fallthrough with types (noFallthroughCasesInSwitch): a case ending in a call that returns never
      // (the template engine's errorf) does not fall through.
      'no-fallthrough': 'off',
    },
  },
);
