import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRuntime } from '../scripts/node-runtimes.mjs';
import { runConformanceScenario } from './support/conformance.js';
import { TEST_KEY } from './support/in-process.js';
import { type SpawnedHttpServer, spawnHttpServer } from './support/spawned-server.js';

// The official conformance suite sends no credentials, so the built server runs in hosted mode with
// DODO_PAYMENTS_MCP_AUTH=none, which it accepts only on loopback.
describe('hosted mode (dist/index.js) against @modelcontextprotocol/conformance', () => {
  let server: SpawnedHttpServer;
  beforeAll(async () => {
    // Fetched from the npm registry on the first run (a ~30 MB download), cached after.
    nodeRuntime('22');
    server = await spawnHttpServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_MCP_AUTH: 'none' });
  }, 300_000);
  afterAll(async () => {
    server.process.kill('SIGTERM');
    await server.exit();
  });

  it.each(['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'])(
    'passes %s',
    async (scenario) => {
      const { code, output } = await runConformanceScenario(server.url, scenario);
      expect(output).toMatch(/Passed: [1-9]\d*\/\d+, 0 failed, 0 warnings/);
      expect(code, output).toBe(0);
    },
    60_000,
  );
});

it('puts no Node on the PATH of npm scripts (a `node` dev dependency would), so tests run on the Node under test', () => {
  const link = new URL('../node_modules/.bin/node', import.meta.url);
  expect(existsSync(link), 'node_modules/.bin/node exists: a dependency ships a Node binary').toBe(false);
});
