// `npm run demo`: the built server, driven over stdio by the MCP SDK client, against a simulated
// Dodo API on 127.0.0.1. No credentials, no network.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startFakeDodoApi } from './fake-dodo-api.js';

const SERVER_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const DEMO_KEY = 'test_key_demo';

const api = await startFakeDodoApi({ apiKey: DEMO_KEY });
const client = new Client({ name: 'dodo-payments-mcp-demo', version: '1.0.0' });
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [SERVER_ENTRY],
  env: { DODO_PAYMENTS_API_KEY: DEMO_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_LOG: 'warn' },
  stderr: 'ignore',
});

try {
  await client.connect(transport);
  console.log(`Simulated Dodo API on ${api.url}; server ${client.getServerVersion()?.name} ${client.getServerVersion()?.version}\n`);

  const { tools } = await client.listTools();
  for (const tool of tools) {
    console.log(`Tool: ${tool.name} (${tool.title})`);
    console.log(`  annotations: ${JSON.stringify(tool.annotations)}`);
    console.log(`  input fields: ${Object.keys(tool.inputSchema.properties ?? {}).join(', ')}\n`);
  }

  await show('1. Create a payment for a new customer (2 × E-book + Pro course, Germany)', {
    billing: { country: 'DE', city: 'Berlin' },
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    product_cart: [
      { product_id: 'pdt_ebook', quantity: 2 },
      { product_id: 'pdt_course_pro', quantity: 1 },
    ],
    metadata: { order_ref: 'demo-42' },
  });

  await show('2. Invalid arguments are caught before anything is sent', {
    billing: { country: 'Germany' },
    customer: { email: 'ada@example.com', customer_id: 'cus_123' },
    product_cart: [{ product_id: 'pdt_ebook', quantity: 0 }],
  });

  await show('3. The API refuses a country it does not serve; the error says so', {
    billing: { country: 'AI' },
    customer: { customer_id: 'cus_existing' },
    product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
  });

  console.log(`POST /payments received by the simulated API: ${api.paymentPosts()} (the invalid call sent nothing)`);
} finally {
  await client.close();
  await api.close();
}

async function show(title: string, args: Record<string, unknown>): Promise<void> {
  console.log(title);
  const result = (await client.callTool({ name: 'create_one_time_payment', arguments: args })) as CallToolResult;
  if (result.isError) {
    const text = result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
    console.log(`  ✗ error result:\n${indent(text)}\n`);
    return;
  }
  const payment = result.structuredContent as Record<string, unknown>;
  console.log(`  ✓ created ${payment.payment_id} in ${payment.environment}`);
  console.log(`    total_amount: ${payment.total_amount} (smallest currency unit)`);
  console.log(`    checkout link: ${payment.payment_link}\n`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
