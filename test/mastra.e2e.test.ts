import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mastraMcpModule } from '../scripts/mastra-packages.mjs';
import { clientNode, runClientFixture } from './support/client-process.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { TEST_KEY } from './support/in-process.js';
import { type SpawnedHttpServer, spawnHttpServer } from './support/spawned-server.js';

// Mastra's MCP client (@mastra/mcp, on the MCP SDK's v2 client) against the built server in hosted mode, run by
// test/fixtures/mastra-client.mjs on Node 22+ (see test/support/client-process.ts). It probes with `server/discover`
// first; before the server answered that, every connection cost a 400 and a second round trip with `initialize`.
// The client's packages are fetched from the npm registry on the first run (scripts/mastra-packages.mjs).
const api = useFakeDodoApi();
const TOKEN = 'mastra-create-0123456789abcdefghijklmnop';
let hosted: SpawnedHttpServer;
let mastraModule: string;

beforeAll(async () => {
  // About 140 MB installed from the npm registry on the first run, cached after.
  mastraModule = mastraMcpModule();
  clientNode();
  hosted = await spawnHttpServer({
    DODO_PAYMENTS_API_KEY: TEST_KEY,
    DODO_PAYMENTS_BASE_URL: api.url,
    DODO_PAYMENTS_MCP_TOKENS: `mastra:create:${TOKEN}`,
  });
}, 300_000);
afterAll(async () => {
  hosted?.process.kill('SIGTERM');
  await hosted?.exit();
});

interface Report {
  toolNames: string[];
  /** The tool's `structuredContent` as `execute` returns it. */
  result?: Record<string, unknown>;
  /** The message of what `execute` threw (a tool error). */
  error?: string;
  sent: { http: string; method: string | null; status: number }[];
}

async function connect(call?: { tool: string; input: object }) {
  const { report } = await runClientFixture<Report>(
    'mastra-client.mjs',
    { url: hosted.url, headers: { Authorization: `Bearer ${TOKEN}` }, call },
    // Mastra's usage telemetry is for its server; off all the same, so nothing here leaves 127.0.0.1.
    { MASTRA_TELEMETRY_DISABLED: '1', DODO_E2E_MASTRA_MCP_MODULE: mastraModule },
  );
  return report;
}

describe('Mastra MCP client (@mastra/mcp) over HTTP', () => {
  it('connects with server/discover, never initialize, and lists the three tools', async () => {
    const report = await connect();
    expect(report.toolNames).toEqual(['dodo_create_one_time_payment', 'dodo_list_products', 'dodo_get_payment']);
    // One POST per message, each answered 200: no 400 for the 2026-07-28 request, no fallback.
    expect(report.sent).toEqual([
      { http: 'POST', method: 'server/discover', status: 200 },
      { http: 'POST', method: 'tools/list', status: 200 },
    ]);
    expect(hosted.stderr()).not.toContain('http_request_rejected');
  });

  it('calls list_products and gets the catalogue', async () => {
    const report = await connect({ tool: 'list_products', input: {} });
    expect(report.error).toBeUndefined();
    expect(report.result).toMatchObject({
      products: expect.arrayContaining([expect.objectContaining({ product_id: 'pdt_course_pro' })]),
    });
    expect(report.sent.map((request) => request.method)).toEqual(['server/discover', 'tools/list', 'tools/call']);
    expect(report.sent.every((request) => request.status === 200)).toBe(true);
    expect(hosted.stderr()).not.toContain('http_request_rejected');
  });

  it('gets a refused payment as a tool error naming the field and the nearest value, nothing sent', async () => {
    const postsBefore = api.paymentPosts();
    const report = await connect({
      tool: 'create_one_time_payment',
      input: {
        billing: { country: 'Germany' },
        customer: { email: 'ada@example.com' },
        product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
      },
    });
    expect(report.error).toContain('billing.country: "Germany" is not an ISO 3166-1 alpha-2 code; did you mean DE?');
    expect(api.paymentPosts()).toBe(postsBefore);
    expect(report.sent.map((request) => request.method)).not.toContain('initialize');
  });
});
