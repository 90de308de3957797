import { defineConfig } from 'vitest/config';

// Projects by how a test runs (the file name says which): `npm run test:fast` runs unit and integration in
// seconds; `npm test` runs every project, including the end-to-end one that needs `npm run build` first.
// The compile-time contracts (`test/*.test-d.ts`) are checked by `tsc -p .` in `npm run build`, not by vitest's
// typecheck mode, which prints an "experimental feature" warning on every run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/*.test.ts'],
          exclude: ['test/*.integration.test.ts', 'test/*.e2e.test.ts'],
        },
      },
      { test: { name: 'integration', include: ['test/*.integration.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/*.e2e.test.ts'],
          // These spawn Node processes; a loaded CI machine needs more than the 5 s default.
          testTimeout: 20_000,
        },
      },
    ],
  },
});
