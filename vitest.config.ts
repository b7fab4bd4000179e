import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `e2e` runs against a real Temporal dev server that
// test/e2e/global-setup.ts starts once on free ports (and stops at the end).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/template/**/*.test.ts', 'test/deploy/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
