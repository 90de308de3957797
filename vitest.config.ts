import { defineConfig } from 'vitest/config';

// Projects by how a test runs (the file name says which): `npm run test:fast` runs unit and integration in
// seconds; `npm test` runs every project, including the end-to-end one that needs `npm run build` first.
// The compile-time contracts (`test/*.test-d.ts`) are checked by `tsc -p .` in `npm run build`, not by vitest's
// typecheck mode, which prints an "experimental feature" warning on every run.
// A test's time limit only catches a hang: what a test asserts never depends on how fast the machine is (waits are
// gates and injected clocks; property tests and the simulation have fixed numbers of runs), so the limits are
// generous enough for a 2-core machine with other work on it.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          include: ['test/*.test.ts'],
          exclude: ['test/*.integration.test.ts', 'test/*.e2e.test.ts'],
        },
      },
      { test: { name: 'integration', testTimeout: 60_000, hookTimeout: 60_000, include: ['test/*.integration.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/*.e2e.test.ts'],
          // These spawn Node processes.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
