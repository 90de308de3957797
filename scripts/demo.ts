// `npm run demo`: the built server, driven over stdio by the MCP SDK client, against a simulated
// Dodo API on 127.0.0.1. No credentials, no network.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { answer, startFakeDodoApi } from './fake-dodo-api.js';

const SERVER_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const DEMO_KEY = 'test_key_demo';

const api = await startFakeDodoApi({ apiKey: DEMO_KEY });
const client = new Client({ name: 'dodo-payments-mcp-demo', version: '1.0.0' });
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [SERVER_ENTRY],
  // A short timeout, so that step 6's lost answer is noticed in 2 s rather than 30.
  env: { DODO_PAYMENTS_API_KEY: DEMO_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_LOG: 'warn', DODO_PAYMENTS_TIMEOUT_MS: '2000' },
  stderr: 'ignore',
});

try {
  await client.connect(transport);
  console.log(`Simulated Dodo API on ${api.url}; server ${client.getServerVersion()?.name} ${client.getServerVersion()?.version}\n`);

  const { tools } = await client.listTools();
  for (const tool of tools) console.log(`Tool: ${tool.name} (${tool.title}), read-only: ${tool.annotations?.readOnlyHint ?? false}`);
  console.log();

  console.log('1. "Send Ada a payment link for the Pro course, she is in Germany": find the product');
  const found = await call('list_products', { name_contains: 'pro course' });
  const products = (found.structuredContent as { products: { product_id: string; name: string; price: number; currency: string }[] })
    .products;
  for (const product of products)
    console.log(`  ✓ ${product.product_id}: ${product.name}, ${product.price} (smallest unit) ${product.currency}`);
  const productId = products[0]?.product_id ?? 'pdt_course_pro';

  console.log('\n2. Create the payment for a new customer');
  const created = await call('create_one_time_payment', {
    billing: { country: 'DE', city: 'Berlin' },
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    product_cart: [{ product_id: productId, quantity: 1 }],
    metadata: [{ key: 'order_ref', value: 'demo-42' }],
    idempotency_key: 'demo-order-42',
  });
  const payment = created.structuredContent as { payment_id: string; payment_link: string; total_amount: number; environment: string };
  console.log(`  ✓ created ${payment.payment_id} in ${payment.environment}, total_amount ${payment.total_amount}`);
  console.log(`    checkout link for Ada: ${payment.payment_link}`);

  console.log('\n3. Invalid arguments are caught before anything is sent');
  showError(
    await call('create_one_time_payment', {
      billing: { country: 'Germany' },
      customer: { email: 'ada@example.com', customer_id: 'cus_123' },
      product_cart: [{ product_id: productId, quantity: 0 }],
    }),
  );

  console.log('4. The API refuses a country it does not serve; the error says so');
  showError(
    await call('create_one_time_payment', {
      billing: { country: 'AI' },
      customer: { customer_id: 'cus_existing' },
      product_cart: [{ product_id: productId, quantity: 1 }],
    }),
  );

  console.log('5. "Has she paid?"');
  await showStatus(payment.payment_id);
  await fetch(payment.payment_link);
  console.log('  (Ada opens the link and pays, in the simulation)');
  await showStatus(payment.payment_id);

  console.log('\n6. The answer is lost: the simulated API creates the payment, then never answers (a timeout)');
  const postsBefore = api.paymentPosts();
  api.script(answer.committedThen(answer.hang()));
  const recovered = await call('create_one_time_payment', {
    billing: { country: 'DE' },
    customer: { email: 'grace@example.com', name: 'Grace Hopper' },
    product_cart: [{ product_id: productId, quantity: 1 }],
    idempotency_key: 'demo-order-43',
  });
  const [notice] = recovered.content.map((block) => (block.type === 'text' ? block.text : ''));
  const recoveredPayment = recovered.structuredContent as { payment_id: string; payment_link: string };
  console.log(`  ✓ ${notice}`);
  console.log(`    payment ${recoveredPayment.payment_id}, checkout link ${recoveredPayment.payment_link}`);
  console.log(
    `    POST /payments for this call: ${api.paymentPosts() - postsBefore} (found with GET /payments by its mcp_ref, not re-sent)`,
  );

  console.log(`\nPOST /payments received by the simulated API: ${api.paymentPosts()} (the invalid call sent nothing)`);
} finally {
  await client.close();
  await api.close();
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function showError(result: CallToolResult): void {
  const text = result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
  console.log(`  ✗ error result:\n${indent(text)}\n`);
}

async function showStatus(paymentId: string): Promise<void> {
  const { status } = (await call('get_payment', { payment_id: paymentId })).structuredContent as { status?: string };
  console.log(`  get_payment ${paymentId}: status ${status ?? '(none yet)'}`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
