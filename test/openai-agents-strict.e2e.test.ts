import { type FunctionTool, getAllMcpTools, MCPServerStdio, mcpToFunctionTool, RunContext, setTracingDisabled } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { TEST_KEY } from './support/in-process.js';
import { SERVER_ENTRY, serverEnvironment } from './support/spawned-server.js';

// The OpenAI Agents SDK (JS) converts MCP tools to strict function tools itself; a schema it cannot convert
// is served non-strict with only a warning. These tests use its own conversion on the built server.
setTracingDisabled(true);

const api = useFakeDodoApi();
let server: MCPServerStdio;
let tools: FunctionTool[];

beforeAll(async () => {
  server = new MCPServerStdio({
    name: 'dodo-payments',
    command: process.execPath,
    args: [SERVER_ENTRY],
    // The client passes the server's stderr through to the test output; its info lines are not under test here.
    env: serverEnvironment({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_LOG: 'warn' }),
  });
  await server.connect();
  tools = (await getAllMcpTools({ mcpServers: [server], convertSchemasToStrict: true })) as FunctionTool[];
});
afterAll(() => server?.close());

type SchemaNode = { type?: unknown; properties?: Record<string, SchemaNode>; items?: SchemaNode; anyOf?: SchemaNode[] };

/** Arguments shaped as strict mode shapes them: every property present, `null` where the model has no value. */
function strictShaped(schema: SchemaNode, given: unknown): unknown {
  const node = schema.anyOf?.find((branch) => branch.type !== 'null') ?? schema;
  if (given === undefined) return null;
  if (node.properties && typeof given === 'object' && given !== null && !Array.isArray(given)) {
    const values = given as Record<string, unknown>;
    return Object.fromEntries(Object.entries(node.properties).map(([key, child]) => [key, strictShaped(child, values[key])]));
  }
  if (node.items && Array.isArray(given)) return given.map((item) => strictShaped(node.items as SchemaNode, item));
  return given;
}

const tool = (name: string) => tools.find((candidate) => candidate.name === name) as FunctionTool;

describe('OpenAI Agents SDK (JS), strict mode', () => {
  it('converts every tool to a strict function tool, with no fallback', () => {
    expect(tools.map((candidate) => [candidate.name, candidate.strict])).toEqual([
      ['create_one_time_payment', true],
      ['list_products', true],
      ['get_payment', true],
    ]);
    const parameters = tool('create_one_time_payment').parameters as { required: string[]; properties: object };
    expect(parameters.required).toEqual(Object.keys(parameters.properties));
  });

  it('falls back on an open map (the shape metadata had), so the check above can tell', () => {
    const openMap = {
      name: 'with_open_map',
      description: '',
      inputSchema: {
        type: 'object' as const,
        properties: { metadata: { type: 'object', propertyNames: { maxLength: 40 }, additionalProperties: { type: 'string' } } },
        required: [],
        additionalProperties: false,
      },
    };
    // The SDK reports the fallback on stderr; captured here, since it is the expected outcome, not a failure.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(mcpToFunctionTool(openMap, server, true).strict).toBe(false);
      const reported = [...stderr.mock.calls, ...consoleError.mock.calls, ...consoleWarn.mock.calls].flat().map(String).join('\n');
      expect(reported).toContain('Error converting MCP schema to strict mode');
    } finally {
      for (const spy of [stderr, consoleError, consoleWarn]) spy.mockRestore();
    }
  });

  it('creates a payment from strict-shaped arguments through the converted tool', async () => {
    const create = tool('create_one_time_payment');
    const args = strictShaped(create.parameters as SchemaNode, {
      billing: { country: 'DE' },
      customer: { email: 'ada@example.com' },
      product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
      metadata: [{ key: 'order', value: '42' }],
    });
    expect(args).toMatchObject({ tax_id: null, customer: { customer_id: null, name: null }, billing: { city: null } });
    const output = await create.invoke(new RunContext(), JSON.stringify(args));
    const payment = JSON.parse((output as { text: string }).text);
    expect(payment).toMatchObject({ payment_id: expect.stringMatching(/^pay_/), total_amount: 1500, metadata: { order: '42' } });
  });

  it('accepts the nulls themselves when the server receives them (as the Python SDK and LangChain send them)', async () => {
    const create = tool('create_one_time_payment');
    const args = strictShaped(create.parameters as SchemaNode, {
      billing: { country: 'US' },
      customer: { customer_id: 'cus_1' },
      product_cart: [{ product_id: 'pdt_ebook', quantity: 2 }],
    }) as Record<string, unknown>;
    const postsBefore = api.paymentPosts();
    const result = await server.callToolResult('create_one_time_payment', args);
    expect(result.isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(postsBefore + 1);
    const body = api.requests.at(-1)?.body as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain('null');
    expect(body).toEqual({
      billing: { country: 'US' },
      customer: { customer_id: 'cus_1' },
      product_cart: [{ product_id: 'pdt_ebook', quantity: 2 }],
      payment_link: true,
      // Only the server's own reference, for finding a payment whose answer was lost.
      metadata: { mcp_ref: expect.stringMatching(/^[\w-]{24}\.[\w-]{16}$/) },
    });
  });

  it('lists products with strict-shaped (null and empty) filters', async () => {
    const list = tool('list_products');
    const args = strictShaped(list.parameters as SchemaNode, { name_contains: '' });
    const output = await list.invoke(new RunContext(), JSON.stringify(args));
    const page = JSON.parse((output as { text: string }).text);
    expect(page.products.length).toBeGreaterThan(0);
  });
});
