import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformanceScenario } from './support/conformance.js';
import { TEST_KEY } from './support/in-process.js';
import { type SpawnedHttpServer, spawnHttpServer } from './support/spawned-server.js';

// The official conformance suite sends no credentials, so the built server runs in hosted mode with
// DODO_PAYMENTS_MCP_AUTH=none, which it accepts only on loopback.
describe('hosted mode (dist/index.js) against @modelcontextprotocol/conformance', () => {
  let server: SpawnedHttpServer;
  beforeAll(async () => {
    server = await spawnHttpServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_MCP_AUTH: 'none' });
  });
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

it('keeps the conformance-only Node 22 off the PATH of npm scripts, so tests run on the Node under test', () => {
  const link = new URL('../node_modules/.bin/node', import.meta.url);
  expect(existsSync(link), 'node_modules/.bin/node exists: run npm ci (its prepare step removes the link)').toBe(false);
});
