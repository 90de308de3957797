// `npm test` runs every test on the Node that runs it (20 in CI), then this runs the end-to-end tests
// (test/*.e2e.test.ts: the built dist/index.js spawned, real clients) again on Node 22 and 24, fetched from the
// npm registry on first use (scripts/node-runtimes.mjs). Each pass names its Node in DODO_E2E_NODE_MAJOR, which
// test/node-matrix.e2e.test.ts checks against the Node it runs on.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nodeRuntime } from './node-runtimes.mjs';

const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

for (const major of ['22', '24']) {
  const node = nodeRuntime(major);
  console.log(`\nEnd-to-end tests on Node ${major} (${node})`);
  const pass = spawnSync(node, [VITEST, 'run', '.e2e.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, DODO_E2E_NODE_MAJOR: major },
  });
  if (pass.status !== 0) process.exit(pass.status ?? 1);
}
