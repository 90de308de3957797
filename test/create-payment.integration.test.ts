import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import {
  closedPort,
  connectInProcess,
  type InProcessSession,
  resultText,
  SAMPLE_PAYMENT,
  TEST_KEY,
  TOOL_NAMES,
  testConfig,
} from './support/in-process.js';
import { endedByTimeout } from './support/timeout.js';

const api = useFakeDodoApi();
const TIMEOUT_MS = 30_000;
let session: InProcessSession;

beforeAll(async () => {
  session = await connectInProcess(testConfig({ baseUrl: api.url, timeoutMs: TIMEOUT_MS }));
});
afterAll(() => session.close());
afterEach(() => {
  api.requests.length = 0;
});

describe('create_one_time_payment against the simulated Dodo API', () => {
  it('creates a payment for a new customer and returns it as structured content and the same JSON as text', async () => {
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBeFalsy();
    const payment = result.structuredContent as Record<string, unknown>;
    expect(payment).toMatchObject({
      payment_id: expect.stringMatching(/^pay_/),
      total_amount: 2 * 1500 + 4900,
      payment_link: expect.stringContaining('/checkout/pay_'),
      customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
      environment: 'test_mode',
    });
    expect(JSON.parse(resultText(result))).toEqual(payment);

    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/payments', authorization: `Bearer ${TEST_KEY}` });
    expect(api.requests[0]?.body).toEqual({ ...SAMPLE_PAYMENT, payment_link: true, metadata: { mcp_ref: expect.any(String) } });
  });

  it('creates a payment for an existing customer, sending only customer_id', async () => {
    const result = await session.call({ ...SAMPLE_PAYMENT, customer: { customer_id: 'cus_existing' } });
    expect(result.structuredContent).toMatchObject({ customer: { customer_id: 'cus_existing' } });
    expect(api.requests[0]?.body).toMatchObject({ customer: { customer_id: 'cus_existing' } });
  });

  it('leaves out fields the API returned as null so the result matches the output schema', async () => {
    const result = await session.call({ ...SAMPLE_PAYMENT, payment_link: false });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).not.toHaveProperty('payment_link');
    expect(result.structuredContent).not.toHaveProperty('discount_ids');
    expect(api.requests[0]?.body).toMatchObject({ payment_link: false });
  });

  it('accepts nested arguments sent as JSON strings', async () => {
    const result = await session.call({
      billing: JSON.stringify(SAMPLE_PAYMENT.billing),
      customer: JSON.stringify(SAMPLE_PAYMENT.customer),
      product_cart: JSON.stringify(SAMPLE_PAYMENT.product_cart),
    });
    expect(result.isError).toBeFalsy();
    expect(api.requests[0]?.body).toEqual({ ...SAMPLE_PAYMENT, payment_link: true, metadata: { mcp_ref: expect.any(String) } });
  });

  it('rejects invalid arguments with one line per field and sends nothing', async () => {
    const result = await session.call({
      billing: { country: 'Germany' },
      customer: { email: 'ada@example.com', customer_id: 'cus_1' },
      product_cart: [{ product_id: 'pdt_ebook', quantity: 0 }],
      surprise: true,
    });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe(
      [
        'Invalid arguments; nothing was sent:',
        'billing.country: "Germany" is not an ISO 3166-1 alpha-2 code; did you mean DE?',
        'customer: give exactly one of customer_id (an existing customer) or email (a new customer)',
        'product_cart[0].quantity: must be a whole number of at least 1',
        'surprise: unknown field; remove it',
      ].join('\n'),
    );
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    [400, 'INVALID_REQUEST_BODY', 'Invalid request body', /Fix the field/],
    [401, 'UNAUTHORIZED', 'Invalid API key', /live_mode key while this server runs in test_mode/],
    [403, 'FORBIDDEN', 'Not allowed', /not allowed to create payments/],
    [404, 'NOT_FOUND', 'Product pdt_ebook not found', /check the product ids \(pdt_ebook, pdt_course_pro\)/],
    [409, 'CONFLICT', 'Conflict', /conflicts/],
    [422, 'UNSUPPORTED_COUNTRY', 'Country AI currently not supported', /Fix the field/],
    [422, 'PAY_AS_YOU_WANT_AMOUNT_REQUIRED', 'Amount required', /Fix the field/],
  ])('reports %i %s with status, code, message and a hint, sending one POST', async (status, code, message, hint) => {
    api.script(answer.error(status, code, message));
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain(`Dodo API rejected the payment: ${status} ${code}: ${message}. Nothing was created.`);
    expect(resultText(result)).toMatch(hint);
    expect(api.paymentPosts()).toBe(1);
  });

  it.each([500, 502, 503, 504])('never re-sends after a %i and says the outcome is unknown', async (status) => {
    api.script(answer.error(status, 'INTERNAL_SERVER_ERROR', 'Something broke'));
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain(`${status} INTERNAL_SERVER_ERROR: Something broke`);
    expect(resultText(result)).toContain('The payment may or may not have been created');
    expect(api.paymentPosts()).toBe(1);
  });

  it('never re-sends after a timeout and says the outcome is unknown', async () => {
    let arrived!: () => void;
    const requestIn = new Promise<void>((resolve) => (arrived = resolve));
    api.script(answer.hang(arrived));
    const result = await endedByTimeout(
      TIMEOUT_MS,
      () => session.call(SAMPLE_PAYMENT),
      () => requestIn,
    );
    expect(resultText(result)).toContain('did not answer in time');
    expect(resultText(result)).toContain('may or may not have been created');
    expect(api.paymentPosts()).toBe(1);
  });

  it('treats a 200 that is not JSON as an unknown outcome', async () => {
    api.script(answer.text(200, 'text/html', '<html>maintenance</html>'));
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('body is not a payment');
    expect(api.paymentPosts()).toBe(1);
  });

  it('treats a 200 JSON body without payment_id as an unknown outcome', async () => {
    api.script(answer.json(200, { status: 'ok' }));
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('no payment_id');
  });

  it('treats a connection reset mid-response as an unknown outcome, sending one POST', async () => {
    api.script(answer.resetMidResponse());
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('may or may not have been created');
    expect(api.paymentPosts()).toBe(1);
  });

  it('never shows the API key, even when the API echoes it in an error or a payment', async () => {
    api.script(answer.error(401, 'UNAUTHORIZED', `Key ${TEST_KEY} is not valid`));
    const rejected = await session.call(SAMPLE_PAYMENT);
    expect(resultText(rejected)).toContain('Key [REDACTED] is not valid');
    expect(JSON.stringify(rejected)).not.toContain(TEST_KEY);

    api.script(answer.json(200, { payment_id: 'pay_echo', total_amount: 1, metadata: { auth: `Bearer ${TEST_KEY}` } }));
    const created = await session.call(SAMPLE_PAYMENT);
    expect(created.isError).toBeFalsy();
    expect(JSON.stringify(created)).not.toContain(TEST_KEY);
    expect(created.structuredContent).toMatchObject({ metadata: { auth: 'Bearer [REDACTED]' } });
  });

  it('answers an unknown tool with a JSON-RPC invalid-params error', async () => {
    await expect(session.call({}, 'delete_everything')).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining('Unknown tool: delete_everything'),
    });
  });
});

describe('configuration edge cases', () => {
  it('says it could not connect, and to where, when nothing listens', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await connectInProcess(testConfig({ baseUrl }));
    const result = await unreachable.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain(`Could not connect to the Dodo API at ${baseUrl} (ECONNREFUSED)`);
    await unreachable.close();
  });

  it('lists the tool without a key, and a call says to set DODO_PAYMENTS_API_KEY without sending anything', async () => {
    const keyless = await connectInProcess(testConfig({ apiKey: undefined, baseUrl: api.url }));
    const { tools } = await keyless.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
    const result = await keyless.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('DODO_PAYMENTS_API_KEY is not set');
    expect(api.requests).toHaveLength(0);
    await keyless.close();
  });

  it('logs one line per call with the outcome and no key, email or address', async () => {
    const lines: string[] = [];
    const logger = {
      debug: () => {},
      info: (event: string, fields?: object) => lines.push(JSON.stringify({ event, ...fields })),
      warn: () => {},
    };
    const logged = await connectInProcess(testConfig({ baseUrl: api.url }), { logger });
    await logged.call(SAMPLE_PAYMENT);
    await logged.call({ ...SAMPLE_PAYMENT, billing: { country: 'AI' } });
    await logged.call({});
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const toolCalls = events.filter((event) => event.event === 'tool_call');
    expect(toolCalls.map((event) => event.outcome)).toEqual(['created', 'rejected: 422 UNSUPPORTED_COUNTRY', 'invalid_input']);
    // Every POST is logged with the reference it carried, whoever waits for it.
    const posts = events.filter((event) => event.event === 'payment_attempt');
    expect(posts.map((event) => event.outcome)).toEqual(['created', 'rejected: 422 UNSUPPORTED_COUNTRY']);
    expect(posts.map((event) => event.reference)).toEqual(
      api.requests.map((request) => (request.body as { metadata: { mcp_ref: string } }).metadata.mcp_ref),
    );
    expect(toolCalls[0]).toMatchObject({
      event: 'tool_call',
      payment_id: expect.stringMatching(/^pay_/),
      environment: 'test_mode',
    });
    for (const text of [TEST_KEY, 'ada@example.com', 'Berlin', 'Ada']) expect(lines.join('\n')).not.toContain(text);
    await logged.close();
  });
});
