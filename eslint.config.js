// The layering of docs/conventions.md, checked: arrows point one way,
// ui → app → (workers | storage) → core, and LF source is compiled only by the LF sandbox.
// Part of `npm run check` (and so of `npm test`).
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns: a folder may not import these. */
const forbid = (groups, message) => ({ group: groups, message });
const SVELTE = ['svelte', 'svelte/*', '*.svelte'];

export default [
  { ignores: ['dist/**', 'node_modules/**', 'public/**', '.ci/**', 'dev-dist/**'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  ...svelte.configs['flat/base'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['**/app/**', '**/ui/**', '**/workers/**', '**/storage/**', '**/cli/**'],
              'core imports nothing above it (docs/conventions.md)',
            ),
            forbid(
              [...SVELTE, 'dexie', 'comlink', 'node:*'],
              'core is pure: no Svelte, Dexie, Comlink or Node APIs (it runs in the page, workers and Node alike)',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/workers/**/*.ts'],
    ignores: ['src/workers/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [forbid(['**/app/**', '**/ui/**', '**/cli/**', ...SVELTE], 'workers never import Svelte, the app or the UI')] },
      ],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    ignores: ['src/storage/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['**/app/**', '**/ui/**', '**/workers/**', '**/cli/**', ...SVELTE], 'storage knows no screen, service or worker'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    ignores: ['src/app/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [forbid(['**/ui/**', '**/cli/**', '*.svelte'], 'the app layer does not import screens')] },
      ],
    },
  },
  {
    // Screens reach everything through the app layer; types may come from anywhere.
    files: ['src/ui/**/*.svelte', 'src/ui/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/storage/**', '**/workers/**', '**/cli/**', 'dexie', 'comlink'],
              message: 'the UI imports only the app layer (types excepted)',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // LF source becomes a function only through the sandbox (src/core/lf/sandbox.ts).
    files: ['src/**/*.ts', 'src/**/*.svelte'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Function']",
          message: 'compile LF code only through the LF sandbox (src/core/lf/sandbox.ts)',
        },
        {
          selector: "CallExpression[callee.name='Function']",
          message: 'compile LF code only through the LF sandbox (src/core/lf/sandbox.ts)',
        },
        { selector: "CallExpression[callee.name='eval']", message: 'compile LF code only through the LF sandbox (src/core/lf/sandbox.ts)' },
      ],
    },
  },
];
