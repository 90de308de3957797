import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientNode, runClientFixture } from './support/client-process.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { TEST_KEY } from './support/in-process.js';
import { SERVER_ENTRY, type SpawnedHttpServer, serverEnvironment, spawnHttpServer } from './support/spawned-server.js';

// The Vercel AI SDK 7 MCP client (ai + @ai-sdk/mcp) against the built server, over stdio and over HTTP (hosted
// mode), run by test/fixtures/ai-sdk-client.mjs on Node 22+ (see test/support/client-process.ts). A scripted model
// stands in for the LLM. The client tries 2026-07-28 first (`server/discover`); before the server answered it, every
// HTTP connection cost a 400 and a second round trip with `initialize`. The recorded messages show it no longer does.
const api = useFakeDodoApi();
const TOKEN = 'ai-sdk-create-0123456789abcdefghijklmnop';
let hosted: SpawnedHttpServer;

beforeAll(async () => {
  // Node 22 for the client on a Node 20 run: fetched from the npm registry on the first run, so not inside a test.
  clientNode();
  hosted = await spawnHttpServer({
    DODO_PAYMENTS_API_KEY: TEST_KEY,
    DODO_PAYMENTS_BASE_URL: api.url,
    DODO_PAYMENTS_MCP_TOKENS: `ai-sdk:create:${TOKEN}`,
  });
}, 300_000);
afterAll(async () => {
  hosted?.process.kill('SIGTERM');
  await hosted?.exit();
});

interface Sent {
  /** The HTTP method, over HTTP only. */
  http?: string;
  /** The JSON-RPC method of the message, null for a response or a request without a body. */
  method: string | null;
  status?: number;
}
interface Report {
  protocolVersion: string;
  serverInfo: { name: string };
  toolNames: string[];
  offered?: { name: string; type: string; inputSchema: object }[];
  toolResults?: {
    toolName: string;
    output: { isError?: boolean; structuredContent?: Record<string, unknown>; content: { text: string }[] };
  }[];
  sent: Sent[];
}

const transports = {
  stdio: () => ({
    type: 'stdio',
    // The server runs on the tests' Node, whichever Node the client needs.
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: serverEnvironment({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_LOG: 'warn' }),
  }),
  http: () => ({ type: 'http', url: hosted.url, headers: { Authorization: `Bearer ${TOKEN}` } }),
};

async function connectAndCall(transport: keyof typeof transports, call?: { toolName: string; input: object; prompt: string }) {
  const { report } = await runClientFixture<Report>('ai-sdk-client.mjs', { transport: transports[transport](), call });
  return report;
}

const TOOLS = ['create_one_time_payment', 'list_products', 'get_payment'];

describe.each(['stdio', 'http'] as const)('Vercel AI SDK 7 MCP client (ai + @ai-sdk/mcp) over %s', (transport) => {
  it('connects with server/discover on 2026-07-28, never initialize, and lists the three tools', async () => {
    const report = await connectAndCall(transport);
    expect(report.protocolVersion).toBe('2026-07-28');
    expect(report.serverInfo.name).toBe('dodo-payments-mcp');
    expect(report.toolNames).toEqual(TOOLS);
    expect(report.sent.map((message) => message.method)).toEqual(['server/discover', 'tools/list']);
    if (transport === 'http') {
      // One POST per message, each answered 200: no 400 for the 2026-07-28 request, no fallback, no stream GET.
      expect(report.sent).toEqual([
        { http: 'POST', method: 'server/discover', status: 200 },
        { http: 'POST', method: 'tools/list', status: 200 },
      ]);
      expect(hosted.stderr()).not.toContain('http_request_rejected');
    }
  });

  it('hands the tool schemas to the model and runs list_products for it', async () => {
    const report = await connectAndCall(transport, { toolName: 'list_products', input: {}, prompt: 'What can I sell?' });
    expect(report.offered?.map((tool) => tool.name)).toEqual(TOOLS);
    expect(report.offered?.[0]).toMatchObject({ type: 'function', inputSchema: { type: 'object', additionalProperties: false } });
    const output = report.toolResults?.[0]?.output;
    expect(output?.isError).toBeFalsy();
    expect(output?.structuredContent).toMatchObject({
      products: expect.arrayContaining([expect.objectContaining({ product_id: 'pdt_course_pro' })]),
    });
    expect(report.sent.map((message) => message.method)).toEqual(['server/discover', 'tools/list', 'tools/call']);
    if (transport === 'http') expect(hosted.stderr()).not.toContain('http_request_rejected');
  });

  it('executes a payment the model asks for, with metadata pairs and nulls, and returns the payment', async () => {
    const postsBefore = api.paymentPosts();
    const report = await connectAndCall(transport, {
      toolName: 'create_one_time_payment',
      input: {
        billing: { country: 'IN', city: null },
        customer: { email: 'ada@example.com', name: 'Ada', phone_number: null, customer_id: null },
        product_cart: [{ product_id: 'pdt_course_pro', quantity: 1, amount: null }],
        metadata: [{ key: 'order', value: '42' }],
        idempotency_key: `vercel-${transport}`,
      },
      prompt: 'Charge Ada for the Pro course.',
    });
    expect(report.toolResults).toHaveLength(1);
    const output = report.toolResults?.[0]?.output;
    expect(output?.isError).toBeFalsy();
    expect(output?.structuredContent).toMatchObject({
      payment_id: expect.stringMatching(/^pay_/),
      total_amount: 4900,
      metadata: { order: '42' },
      environment: 'test_mode',
    });
    expect(api.paymentPosts()).toBe(postsBefore + 1);
    expect(report.sent.map((message) => message.method)).not.toContain('initialize');
    if (transport === 'http') expect(hosted.stderr()).not.toContain('http_request_rejected');
  });

  it('returns a refused call as a tool error the model can read, naming the field and the nearest value', async () => {
    const postsBefore = api.paymentPosts();
    const report = await connectAndCall(transport, {
      toolName: 'create_one_time_payment',
      input: {
        billing: { country: 'Germany' },
        customer: { email: 'ada@example.com' },
        product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
      },
      prompt: 'Charge Ada.',
    });
    const output = report.toolResults?.[0]?.output;
    expect(output?.isError).toBe(true);
    expect(output?.content[0]?.text).toContain('billing.country: "Germany" is not an ISO 3166-1 alpha-2 code; did you mean DE?');
    expect(api.paymentPosts()).toBe(postsBefore);
  });
});
