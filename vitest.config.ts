import { defineConfig } from 'vitest/config';

// Test suites by what they need; each runs alone (`npm run test:<name>`), `npm test` runs them all, in this order:
//   unit     Node only: no server, no tool.
//   deploy   the chart, compose file and Dockerfile, checked with the tools that run here (helm, kubeconform, hadolint…).
//   e2e      a real Temporal dev server, which test/e2e/global-setup.ts starts once on free ports (and stops).
//   ctrlplane-api  the Ctrlplane contract suite: the worker against Ctrlplane's real API (test/ctrlplane-api/global-setup.ts
//            starts it on PostgreSQL from the pinned source in ../shared/ctrlplane-api), beside a Temporal dev server.
//   browser  the Temporal Web UI in headless Chromium, against a dev server of its own.
const temporal = { globalSetup: ['test/e2e/global-setup.ts'], testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/template/**/*.test.ts'], testTimeout: 30_000, sequence: { groupOrder: 0 } } },
      { test: { name: 'deploy', include: ['test/deploy/**/*.test.ts'], testTimeout: 30_000, sequence: { groupOrder: 0 } } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...temporal, sequence: { groupOrder: 1 } } },
      {
        test: {
          name: 'ctrlplane-api',
          include: ['test/ctrlplane-api/**/*.test.ts'],
          ...temporal,
          globalSetup: [...temporal.globalSetup, 'test/ctrlplane-api/global-setup.ts'],
          sequence: { groupOrder: 2 },
        },
      },
      { test: { name: 'browser', include: ['test/browser/**/*.test.ts'], ...temporal, sequence: { groupOrder: 3 } } },
    ],
  },
});
