import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.js';
import { allowEveryone } from '../src/transports/http/authentication.js';
import { type RunningHttpServer, startHttpServer } from '../src/transports/http/http-server.js';
import { defaultAllowedHosts, defaultAllowedOrigins } from '../src/transports/http/request-guards.js';
import { runConformanceScenario } from './support/conformance.js';
import { createFixtureMcpServer } from './support/fixture-mcp-server.js';

// The official conformance suite sends no credentials, so the endpoint runs with authentication off, on
// loopback, as DODO_PAYMENTS_MCP_AUTH=none would. The MCP server is the test fixture until the integrator
// switches this test to the real server.
describe('the HTTP front door against @modelcontextprotocol/conformance', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ level: 'off' }),
      createMcpServer: (principal) => createFixtureMcpServer(principal),
      authenticate: allowEveryone,
      allowedHosts: defaultAllowedHosts('127.0.0.1'),
      allowedOrigins: defaultAllowedOrigins('127.0.0.1'),
      health: () => Promise.resolve({ status: 'ok' }),
    });
  });
  afterAll(() => server.stop({ graceMs: 0 }));

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
