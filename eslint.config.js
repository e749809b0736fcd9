// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries of ARCHITECTURE.md §3, enforced here rather than remembered.
 * Each entry: the folder, and the import patterns it must not use.
 */
const boundaries = [
  {
    files: ['src/shared/**/*.ts'],
    forbidden: [
      '**/ghl/**',
      '**/tenant-turner/**',
      '**/sync/**',
      '**/store/**',
      '**/queue/**',
      '**/server/**',
      '**/cli/**',
      '**/sandbox/**',
      '**/config.ts',
    ],
    message: 'src/shared imports nothing of ours (ARCHITECTURE.md §3).',
  },
  {
    files: ['src/ghl/**/*.ts'],
    forbidden: [
      '**/tenant-turner/**',
      '**/sync/**',
      '**/store/**',
      '**/queue/**',
      '**/server/**',
      '**/cli/**',
      '**/sandbox/**',
      '**/config.ts',
    ],
    message: 'src/ghl imports only src/shared (ARCHITECTURE.md §3).',
  },
  {
    files: ['src/tenant-turner/**/*.ts'],
    forbidden: [
      '**/ghl/**',
      '**/sync/**',
      '**/store/**',
      '**/queue/**',
      '**/server/**',
      '**/cli/**',
      '**/sandbox/**',
      '**/config.ts',
    ],
    message: 'src/tenant-turner imports only src/shared (ARCHITECTURE.md §3).',
  },
  {
    files: ['src/sync/**/*.ts', 'src/store/**/*.ts', 'src/queue/**/*.ts'],
    forbidden: ['**/server/**', '**/cli/**', '**/sandbox/**'],
    message:
      'Nothing imports src/server or src/cli, and src never imports sandbox (ARCHITECTURE.md §3).',
  },
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/shared/**',
      'src/ghl/**',
      'src/tenant-turner/**',
      'src/sync/**',
      'src/store/**',
      'src/queue/**',
    ],
    forbidden: ['**/sandbox/**'],
    message: 'src never imports sandbox (ARCHITECTURE.md §3).',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'spec/**', 'src/ghl/generated/**', 'data/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/test return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
    },
  },
  // The CLI, the sandboxes' entry points, scripts, benchmarks and tests print to the terminal by design.
  {
    files: ['src/cli/**', 'bin/**', 'scripts/**', 'bench/**', 'sandbox/**/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  ...boundaries.map(({ files, ignores, forbidden, message }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }],
    },
  })),
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
