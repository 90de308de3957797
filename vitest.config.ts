import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn Node processes; a loaded CI machine needs more than the 5 s default.
    testTimeout: 20_000,
  },
});
