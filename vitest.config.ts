import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Temporal dev server for the whole run (test/setup/temporal-server.ts); every
    // integration test uses its own task queues on it.
    globalSetup: ['test/setup/temporal-server.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores: integration files running side by side only slow each other down.
    fileParallelism: false,
    pool: 'forks',
  },
});
