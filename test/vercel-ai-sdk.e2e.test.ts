import { createMCPClient, type MCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { generateText, type ToolSet } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { TEST_KEY } from './support/in-process.js';
import { SERVER_ENTRY } from './support/spawned-server.js';

// The Vercel AI SDK's MCP client against the built server over stdio; a scripted model stands in for the LLM,
// so generateText does what it does with a real one: pass the tools to the model, run the tool it calls.
const api = useFakeDodoApi();
let client: MCPClient;
let tools: ToolSet;

beforeAll(async () => {
  client = await createMCPClient({
    transport: new Experimental_StdioMCPTransport({
      command: process.execPath,
      args: [SERVER_ENTRY],
      // The client passes the server's stderr through to the test output; its info lines are not under test here.
      env: { PATH: process.env.PATH ?? '', DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_LOG: 'warn' },
    }),
  });
  tools = await client.tools();
});
afterAll(() => client?.close());

const USAGE = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** A model that answers with one call of `toolName` with `input`, and records the tools it was offered. */
function modelCalling(toolName: string, input: object) {
  return new MockLanguageModelV3({
    doGenerate: async () => ({
      content: [{ type: 'tool-call', toolCallId: 'call_1', toolName, input: JSON.stringify(input) }],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: USAGE,
      warnings: [],
    }),
  });
}

describe('Vercel AI SDK MCP client (ai + @ai-sdk/mcp)', () => {
  it('lists the three tools and hands their schemas to the model', async () => {
    expect(Object.keys(tools)).toEqual(['create_one_time_payment', 'list_products', 'get_payment']);
    const model = modelCalling('list_products', {});
    await generateText({ model, tools, prompt: 'What can I sell?' });
    const offered = model.doGenerateCalls[0]?.tools ?? [];
    expect(offered.map((tool) => tool.name)).toEqual(['create_one_time_payment', 'list_products', 'get_payment']);
    expect(offered[0]).toMatchObject({ type: 'function', inputSchema: { type: 'object', additionalProperties: false } });
  });

  it('executes a payment the model asks for, with metadata pairs and nulls, and returns the payment', async () => {
    const model = modelCalling('create_one_time_payment', {
      billing: { country: 'IN', city: null },
      customer: { email: 'ada@example.com', name: 'Ada', phone_number: null, customer_id: null },
      product_cart: [{ product_id: 'pdt_course_pro', quantity: 1, amount: null }],
      metadata: [{ key: 'order', value: '42' }],
      idempotency_key: 'vercel-1',
    });
    const { toolResults } = await generateText({ model, tools, prompt: 'Charge Ada for the Pro course.' });
    expect(toolResults).toHaveLength(1);
    const output = toolResults[0]?.output as { isError?: boolean; structuredContent?: Record<string, unknown> };
    expect(output.isError).toBeFalsy();
    expect(output.structuredContent).toMatchObject({
      payment_id: expect.stringMatching(/^pay_/),
      total_amount: 4900,
      metadata: { order: '42' },
      environment: 'test_mode',
    });
  });

  it('returns a refused call as a tool error the model can read, naming the field and the nearest value', async () => {
    const model = modelCalling('create_one_time_payment', {
      billing: { country: 'Germany' },
      customer: { email: 'ada@example.com' },
      product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
    });
    const postsBefore = api.paymentPosts();
    const { toolResults } = await generateText({ model, tools, prompt: 'Charge Ada.' });
    const output = toolResults[0]?.output as { isError?: boolean; content: { text: string }[] };
    expect(output.isError).toBe(true);
    expect(output.content[0]?.text).toContain('billing.country: "Germany" is not an ISO 3166-1 alpha-2 code; did you mean DE?');
    expect(api.paymentPosts()).toBe(postsBefore);
  });
});
