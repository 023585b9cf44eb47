// Lint is mostly about one rule: workflow code must stay deterministic, so workflows/
// may import only @temporalio/workflow, common/ (pure contracts) and *types* from activities;
// common/ is bundled into the workflows, so it is held to the same rule.
import tseslint from 'typescript-eslint';

const sideEffectingModules = [
  'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'worker_threads', 'stream',
  'node:*', '@duckdb/*', 'onnxruntime-node', 'onnxruntime-*', 'apache-arrow', '@temporalio/activity',
  '@temporalio/worker', '@temporalio/client', 'ml-kmeans', 'density-clustering',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'scratch/**', '.cache/**', '.data/**', 'runs/**', 'bench/out/**', '.venv-bench/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          {
            group: sideEffectingModules,
            message: 'Workflow code must be deterministic: do side effects in activities/.',
          },
          {
            group: ['../activities/*', '../activities', '../lib/*', '../workers/*'],
            allowTypeImports: true,
            message: 'Workflows may only import *types* from activities/ (use `import type`).',
          },
        ],
      }],
    },
  },
);
