// Fault injection: the simulated API answers each POST as scripted; every case checks the result class,
// the message, and the exact number of POSTs the API received (the duplicate-payment risk).
import { createServer as createHttpServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answer, type Responder, sendJson } from '../scripts/fake-dodo-api.js';
import type { IdempotencyStore } from '../src/idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-store.js';
import type { PaymentOutcome } from '../src/payments/outcome.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import {
  closedPort,
  connectInProcess,
  type InProcessSession,
  resultText,
  SAMPLE_PAYMENT,
  TEST_KEY,
  testConfig,
} from './support/in-process.js';
import { endedByTimeout } from './support/timeout.js';

type ResultClass = 'created' | 'rejected' | 'unknown_outcome' | 'not_sent';

const MESSAGE_FOR: Record<Exclude<ResultClass, 'created'>, string> = {
  rejected: 'Nothing was created',
  unknown_outcome: 'The payment may or may not have been created',
  not_sent: 'Nothing was sent, so no payment was created',
};

const api = useFakeDodoApi();
let session: InProcessSession;
const waits: number[] = [];

beforeAll(async () => {
  session = await connectInProcess(testConfig({ baseUrl: api.url }), {
    sleep: async (ms) => void waits.push(ms),
  });
});
afterAll(() => session.close());
afterEach(() => {
  api.requests.length = 0;
  waits.length = 0;
});

function classify(result: Awaited<ReturnType<InProcessSession['call']>>): ResultClass {
  if (!result.isError) return 'created';
  const text = resultText(result);
  const match = (Object.entries(MESSAGE_FOR) as [ResultClass, string][]).find(([, phrase]) => text.includes(phrase));
  return match ? match[0] : (`unclassified: ${text}` as ResultClass);
}

const created = (): Responder => (_request, response, fake) =>
  sendJson(response, 200, {
    payment_id: `pay_${fake.requests.length}`,
    total_amount: 100,
    payment_link: 'https://pay.example/x',
    customer: {},
    metadata: {},
  });

describe('fault matrix', () => {
  it.each<[string, Responder[], ResultClass, string, number, number[]]>([
    [
      '400 INVALID_REQUEST_BODY',
      [answer.error(400, 'INVALID_REQUEST_BODY', 'bad body')],
      'rejected',
      '400 INVALID_REQUEST_BODY: bad body',
      1,
      [],
    ],
    ['401 UNAUTHORIZED', [answer.error(401, 'UNAUTHORIZED', 'Invalid API key')], 'rejected', 'test keys only work in test_mode', 1, []],
    ['403 FORBIDDEN', [answer.error(403, 'MERCHANT_NOT_LIVE', 'Merchant not live')], 'rejected', '403 MERCHANT_NOT_LIVE', 1, []],
    ['404 NOT_FOUND', [answer.error(404, 'NOT_FOUND', 'Product pdt_ebook not found')], 'rejected', 'pdt_ebook, pdt_course_pro', 1, []],
    ['409 CONFLICT', [answer.error(409, 'CONFLICT', 'Conflict')], 'rejected', '409 CONFLICT', 1, []],
    [
      '422 UNSUPPORTED_COUNTRY',
      [answer.error(422, 'UNSUPPORTED_COUNTRY', 'Country AI currently not supported')],
      'rejected',
      '422 UNSUPPORTED_COUNTRY: Country AI currently not supported',
      1,
      [],
    ],
    [
      '422 INVALID_DISCOUNT_CODE',
      [answer.error(422, 'INVALID_DISCOUNT_CODE', 'Invalid discount code')],
      'rejected',
      '422 INVALID_DISCOUNT_CODE',
      1,
      [],
    ],
    [
      '422 PAY_AS_YOU_WANT_AMOUNT_REQUIRED',
      [answer.error(422, 'PAY_AS_YOU_WANT_AMOUNT_REQUIRED', 'Amount required')],
      'rejected',
      '422 PAY_AS_YOU_WANT_AMOUNT_REQUIRED',
      1,
      [],
    ],
    [
      '422 TOTAL_PAYMENT_AMOUNT_BELOW_MINIMUM_AMOUNT',
      [answer.error(422, 'TOTAL_PAYMENT_AMOUNT_BELOW_MINIMUM_AMOUNT', 'Below minimum')],
      'rejected',
      '422 TOTAL_PAYMENT_AMOUNT_BELOW_MINIMUM_AMOUNT',
      1,
      [],
    ],
    [
      '429 with Retry-After, then success',
      [answer.error(429, 'TOO_MANY_REQUESTS', 'slow', { 'retry-after': '3' }), created()],
      'created',
      '',
      2,
      [3000],
    ],
    [
      '429 with a huge Retry-After, three times',
      Array.from({ length: 3 }, () => answer.error(429, 'TOO_MANY_REQUESTS', 'slow', { 'retry-after': '120' })),
      'rejected',
      'wait 120 s',
      3,
      [10_000, 10_000],
    ],
    [
      '429 without Retry-After, three times',
      Array.from({ length: 3 }, () => answer.error(429, 'TOO_MANY_REQUESTS', 'slow')),
      'rejected',
      '429 TOO_MANY_REQUESTS',
      3,
      [1000, 2000],
    ],
    ['500', [answer.error(500, 'INTERNAL_SERVER_ERROR', 'boom')], 'unknown_outcome', '500 INTERNAL_SERVER_ERROR: boom', 1, []],
    ['502', [answer.text(502, 'text/html', '<h1>Bad gateway</h1>')], 'unknown_outcome', 'Dodo API error 502', 1, []],
    ['503', [answer.error(503, 'SERVICE_UNAVAILABLE', 'down')], 'unknown_outcome', '503 SERVICE_UNAVAILABLE', 1, []],
    ['504', [answer.error(504, 'GATEWAY_TIMEOUT', 'slow upstream')], 'unknown_outcome', '504 GATEWAY_TIMEOUT', 1, []],
    ['a reset mid-response', [answer.resetMidResponse()], 'unknown_outcome', 'may or may not', 1, []],
    ['a 200 with HTML', [answer.text(200, 'text/html', '<html>ok</html>')], 'unknown_outcome', 'not a payment', 1, []],
    ['a 200 with JSON missing payment_id', [answer.json(200, { total_amount: 100 })], 'unknown_outcome', 'no payment_id', 1, []],
    [
      'an error body that contains the API key',
      [answer.json(400, { code: 'BAD', message: `key ${TEST_KEY}`, detail: { echo: TEST_KEY } })],
      'rejected',
      'key [REDACTED]',
      1,
      [],
    ],
  ])('%s', async (_name, responders, expectedClass, fragment, posts, expectedWaits) => {
    api.script(...responders);
    const result = await session.call(SAMPLE_PAYMENT);
    expect(classify(result)).toBe(expectedClass);
    expect(resultText(result)).toContain(fragment);
    expect(JSON.stringify(result)).not.toContain(TEST_KEY);
    expect(JSON.stringify(result)).not.toMatch(/at \w+ \(|\.ts:\d+|\.js:\d+/);
    expect(api.paymentPosts()).toBe(posts);
    expect(waits).toEqual(expectedWaits);
  });

  it('connection refused: retried twice with backoff, then reported as not sent', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const sleeps: number[] = [];
    const unreachable = await connectInProcess(testConfig({ baseUrl }), { sleep: async (ms) => void sleeps.push(ms) });
    const result = await unreachable.call(SAMPLE_PAYMENT);
    expect(classify(result)).toBe('not_sent');
    expect(resultText(result)).toContain(`Could not connect to the Dodo API at ${baseUrl} (ECONNREFUSED)`);
    expect(sleeps).toEqual([250, 500]);
    await unreachable.close();
  });

  it('connection refused once, then the API comes up: one payment created', async () => {
    const port = await closedPort();
    let posts = 0;
    const lateApi = createHttpServer((_request, response) => {
      posts++;
      sendJson(response, 200, { payment_id: 'pay_late', total_amount: 1 });
    });
    const recovering = await connectInProcess(testConfig({ baseUrl: `http://127.0.0.1:${port}` }), {
      sleep: () => new Promise<void>((resolve) => lateApi.listen(port, '127.0.0.1', resolve)),
    });
    const result = await recovering.call(SAMPLE_PAYMENT);
    expect(result.structuredContent).toMatchObject({ payment_id: 'pay_late' });
    expect(posts).toBe(1);
    await recovering.close();
    await new Promise((resolve) => lateApi.close(resolve));
  });
});

describe('timeouts (the API never answers; its timeout is the only way a call ends)', () => {
  const TIMEOUT_MS = 30_000;
  let timed: InProcessSession;
  beforeAll(async () => {
    timed = await connectInProcess(testConfig({ baseUrl: api.url, timeoutMs: TIMEOUT_MS }), { sleep: async (ms) => void waits.push(ms) });
  });
  afterAll(() => timed.close());

  it('a request held past the timeout is abandoned, not re-sent, and its outcome is unknown', async () => {
    const abandonedBefore = api.abandoned();
    const release = api.hold();
    try {
      const result = await endedByTimeout(
        TIMEOUT_MS,
        () => timed.call(SAMPLE_PAYMENT),
        () => api.held(1),
      );
      expect(classify(result)).toBe('unknown_outcome');
      expect(resultText(result)).toContain('did not answer in time');
      await api.whenAbandoned(abandonedBefore + 1);
    } finally {
      release();
    }
    expect(api.paymentPosts()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('a body that stalls past the timeout: the timeout covers the body too', async () => {
    let written!: () => void;
    const bodyStarted = new Promise<void>((resolve) => (written = resolve));
    api.script(answer.stallMidBody(written));
    const result = await endedByTimeout(
      TIMEOUT_MS,
      () => timed.call(SAMPLE_PAYMENT),
      async () => {
        await bodyStarted;
        // Two turns of the event loop let the client read the status line before the clock moves.
        for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
      },
    );
    expect(classify(result)).toBe('unknown_outcome');
    expect(resultText(result)).toContain('did not answer in time');
    expect(api.paymentPosts()).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe('idempotency_key', () => {
  const withKey = (key: string, overrides: object = {}) => ({ ...SAMPLE_PAYMENT, idempotency_key: key, ...overrides });

  it('is never sent to Dodo', async () => {
    await session.call(withKey('never-sent'));
    const post = api.requests.find((request) => request.method === 'POST');
    expect(post?.body).toMatchObject({ product_cart: expect.any(Array) });
    expect(post?.body).not.toHaveProperty('idempotency_key');
    expect(JSON.stringify(api.requests)).not.toContain('never-sent');
  });

  it('returns the first result for a repeat with the same key and arguments, without a second POST', async () => {
    const first = await session.call(withKey('order-1'));
    const second = await session.call(withKey('order-1'));
    expect(second).toEqual(first);
    expect(api.paymentPosts()).toBe(1);
  });

  it('treats the same arguments in another key order as the same payment', async () => {
    await session.call(withKey('order-order', { customer: { name: 'Ada Lovelace', email: 'ada@example.com' } }));
    const repeat = await session.call({
      idempotency_key: 'order-order',
      product_cart: SAMPLE_PAYMENT.product_cart,
      customer: SAMPLE_PAYMENT.customer,
      billing: SAMPLE_PAYMENT.billing,
    });
    expect(repeat.isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(1);
  });

  it('makes one POST for any number of concurrent calls with one key', async () => {
    // The fake holds the first POST until all 25 calls have reached the idempotency store.
    const store = new MemoryIdempotencyStore<PaymentOutcome>();
    let entered = 0;
    let allEntered!: () => void;
    const everyCallWaiting = new Promise<void>((resolve) => (allEntered = resolve));
    const counting: IdempotencyStore<PaymentOutcome> = {
      run: (...args) => {
        if (++entered === 25) allEntered();
        return store.run(...args);
      },
    };
    const burst = await connectInProcess(testConfig({ baseUrl: api.url }), { idempotency: counting });
    api.script(created());
    const release = api.hold();
    const calls = Array.from({ length: 25 }, () => burst.call(withKey('burst')));
    await Promise.all([api.held(1), everyCallWaiting]);
    release();
    const results = await Promise.all(calls);
    expect(new Set(results.map((result) => JSON.stringify(result.structuredContent))).size).toBe(1);
    expect(api.paymentPosts()).toBe(1);
    await burst.close();
  });

  it('refuses the same key with different arguments, sending nothing', async () => {
    await session.call(withKey('order-2'));
    const reused = await session.call(withKey('order-2', { product_cart: [{ product_id: 'pdt_ebook', quantity: 5 }] }));
    expect(reused.isError).toBe(true);
    expect(resultText(reused)).toContain('idempotency_key: "order-2" was already used for a different payment');
    expect(api.paymentPosts()).toBe(1);
  });

  it('lets a definite rejection be retried under the same key', async () => {
    api.script(answer.error(422, 'INVALID_DISCOUNT_CODE', 'Invalid discount code'));
    expect((await session.call(withKey('order-3'))).isError).toBe(true);
    expect((await session.call(withKey('order-3'))).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);
  });

  it('never re-sends under a key whose outcome is unknown', async () => {
    api.script(answer.error(502, 'BAD_GATEWAY', 'upstream'));
    await session.call(withKey('order-4'));
    const retry = await session.call(withKey('order-4'));
    expect(resultText(retry)).toContain('may or may not have been created');
    expect(resultText(retry)).toContain('retry with a new key');
    expect(api.paymentPosts()).toBe(1);
  });

  it('rejects an empty or over-long key', async () => {
    expect(resultText(await session.call(withKey('')))).toContain('idempotency_key: must not be empty');
    expect(resultText(await session.call(withKey('k'.repeat(256))))).toContain('idempotency_key: must be at most 255 characters');
    expect(api.paymentPosts()).toBe(0);
  });
});

describe('guardrails', () => {
  it('refuses products and return_url hosts outside the operator lists before any call, and says so up front', async () => {
    const guarded = await connectInProcess(
      testConfig({ baseUrl: api.url, allowedProductIds: ['pdt_ebook'], allowedReturnUrlHosts: ['shop.example.com'] }),
    );
    const { tools } = await guarded.client.listTools();
    expect(tools[0]?.description).toContain('Only these product ids may be charged: pdt_ebook.');
    expect(tools[0]?.description).toContain('return_url must be on one of these hosts: shop.example.com.');

    const refused = await guarded.call({ ...SAMPLE_PAYMENT, return_url: 'https://evil.example/phish' });
    expect(resultText(refused)).toBe(
      [
        "Refused by this server's rules; nothing was sent:",
        'product_cart[1].product_id: "pdt_course_pro" is not allowed on this server; allowed products: pdt_ebook',
        'return_url: host "evil.example" is not allowed on this server; allowed hosts: shop.example.com',
      ].join('\n'),
    );
    expect(api.paymentPosts()).toBe(0);

    const allowed = await guarded.call({
      ...SAMPLE_PAYMENT,
      product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
      return_url: 'https://shop.example.com/thanks',
    });
    expect(allowed.isError).toBeFalsy();
    await guarded.close();
  });
});

describe('cancellation and concurrency', () => {
  it('aborts the in-flight HTTP request when the client cancels', async () => {
    const release = api.hold();
    const controller = new AbortController();
    const call = session.client.callTool({ name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT }, undefined, {
      signal: controller.signal,
    });
    try {
      await api.held(1);
      const abandonedBefore = api.abandoned();
      controller.abort();
      await expect(call).rejects.toThrow();
      await api.whenAbandoned(abandonedBefore + 1);
    } finally {
      release();
    }
    expect(api.paymentPosts()).toBe(1);
  });

  it('completes 200 concurrent calls on one session, each with its own result', async () => {
    const calls = Array.from({ length: 200 }, (_, index) =>
      session.call({
        ...SAMPLE_PAYMENT,
        product_cart: [{ product_id: 'pdt_ebook', quantity: index + 1 }],
        metadata: [{ key: 'call', value: String(index) }],
      }),
    );
    const results = await Promise.all(calls);
    results.forEach((result, index) => {
      expect(result.structuredContent).toMatchObject({ total_amount: 1500 * (index + 1), metadata: { call: String(index) } });
    });
    expect(new Set(results.map((result) => (result.structuredContent as { payment_id: string }).payment_id)).size).toBe(200);
    expect(api.paymentPosts()).toBe(200);
  });
});
