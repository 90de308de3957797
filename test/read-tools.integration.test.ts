// list_products and get_payment against the simulated API, through an in-memory MCP client.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answer, type FakeDodoApi, largeCatalogue, startFakeDodoApi } from '../scripts/fake-dodo-api.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, type InProcessSession, resultText, SAMPLE_PAYMENT, TEST_KEY, testConfig } from './support/in-process.js';
import { endedByTimeout } from './support/timeout.js';

const api = useFakeDodoApi();
let session: InProcessSession;
const noWait = { sleep: async () => {} };
const TIMEOUT_MS = 30_000;

beforeAll(async () => {
  session = await connectInProcess(testConfig({ baseUrl: api.url, timeoutMs: TIMEOUT_MS }), noWait);
});
afterAll(() => session.close());
afterEach(() => {
  api.requests.length = 0;
});

type ProductPage = { products: Record<string, unknown>[]; next_cursor?: string; environment: string };
const listProducts = async (args: object, on: InProcessSession = session) => {
  const result = await on.call(args, 'list_products');
  if (result.isError) throw new Error(resultText(result));
  expect(JSON.parse(resultText(result))).toEqual(result.structuredContent);
  return result.structuredContent as ProductPage;
};

describe('list_products', () => {
  it("lists the merchant's one-time products with price, currency and pay-what-you-want", async () => {
    const page = await listProducts({});
    expect(page).toEqual({
      products: [
        {
          product_id: 'pdt_course_pro',
          name: 'Pro course',
          price: 4900,
          currency: 'USD',
          pay_what_you_want: false,
          description: 'Twelve video lessons on advanced TypeScript, with exercises and a certificate.',
        },
        {
          product_id: 'pdt_ebook',
          name: 'E-book',
          price: 1500,
          currency: 'USD',
          pay_what_you_want: false,
          description: 'The companion book in PDF and EPUB.',
        },
        { product_id: 'pdt_tip_jar', name: 'Tip jar', price: 0, currency: 'USD', pay_what_you_want: true },
      ],
      environment: 'test_mode',
    });
    expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/products', authorization: `Bearer ${TEST_KEY}` });
    expect(new URL(api.requests[0]?.url ?? '', api.url).searchParams.get('recurring')).toBe('false');
  });

  it('passes the archived filter to the API', async () => {
    const page = await listProducts({ archived: true });
    expect(page.products.map((product) => product.product_id)).toEqual(['pdt_old_course']);
  });

  it('filters by name, case-insensitively', async () => {
    expect((await listProducts({ name_contains: 'COURSE' })).products.map((product) => product.product_id)).toEqual(['pdt_course_pro']);
  });

  it('returns an empty list without a cursor when nothing matches', async () => {
    expect(await listProducts({ name_contains: 'nothing like this' })).toEqual({ products: [], environment: 'test_mode' });
  });

  describe('with a large catalogue', () => {
    let bulkApi: FakeDodoApi;
    let bulk: InProcessSession;
    beforeAll(async () => {
      bulkApi = await startFakeDodoApi({ apiKey: TEST_KEY, catalogue: largeCatalogue(250) });
      bulk = await connectInProcess(testConfig({ baseUrl: bulkApi.url }), noWait);
    });
    afterAll(async () => {
      await bulk.close();
      await bulkApi.close();
    });

    it('pages through every product exactly once with next_cursor, 20 by default', async () => {
      const seen: unknown[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: ProductPage = await listProducts(cursor === undefined ? {} : { cursor }, bulk);
        expect(page.products.length).toBeLessThanOrEqual(20);
        seen.push(...page.products.map((product) => product.product_id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(13);
      expect(seen).toHaveLength(250);
      expect(new Set(seen).size).toBe(250);
    });

    it('keeps a page of 100 within 25 KB of text, descriptions cut short', async () => {
      const result = await bulk.call({ page_size: 100 }, 'list_products');
      const page = result.structuredContent as ProductPage;
      expect(page.products).toHaveLength(100);
      expect(Buffer.byteLength(resultText(result))).toBeLessThanOrEqual(25_000);
      expect(String(page.products[0]?.description)).toHaveLength(100);
      expect(String(page.products[0]?.description).endsWith('…')).toBe(true);
    });

    it('continues a name filter across API pages without skipping matches', async () => {
      const first = await listProducts({ name_contains: 'deluxe' }, bulk);
      expect(first.products).toHaveLength(20);
      expect(first.next_cursor).toBeDefined();
      const second = await listProducts({ name_contains: 'deluxe', cursor: first.next_cursor }, bulk);
      expect(second.products).toHaveLength(5);
      expect(second.next_cursor).toBeUndefined();
      const names = [...first.products, ...second.products].map((product) => product.name);
      expect(new Set(names).size).toBe(25);
      expect(names.every((name) => String(name).includes('Deluxe'))).toBe(true);
    });
  });

  it.each([
    [{ page_size: 0 }, 'page_size: must be a whole number from 1 to 100'],
    [{ page_size: 101 }, 'page_size: must be'],
    [{ cursor: 'page-2' }, 'cursor: must be a next_cursor value from a previous list_products result'],
    [{ name: 'x' }, 'name: unknown field; remove it'],
  ])('rejects %o, naming the field and sending nothing', async (args, message) => {
    const result = await session.call(args, 'list_products');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain(message);
    expect(api.requests).toHaveLength(0);
  });

  it('reports a refused key with the environment hint', async () => {
    api.script(answer.error(401, 'UNAUTHORIZED', 'Invalid API key'));
    const result = await session.call({}, 'list_products');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('401 UNAUTHORIZED');
    expect(resultText(result)).toContain('test keys only work in test_mode');
  });

  it('retries a server error (a read changes nothing), then says it is safe to try again', async () => {
    api.script(...Array.from({ length: 3 }, () => answer.error(503, 'SERVICE_UNAVAILABLE', 'down')));
    const result = await session.call({}, 'list_products');
    expect(resultText(result)).toContain('503 SERVICE_UNAVAILABLE');
    expect(resultText(result)).toContain('safe to try again');
    expect(api.requests).toHaveLength(3);
  });

  it('succeeds when a read that timed out is retried', async () => {
    let arrived!: () => void;
    const firstRequestIn = new Promise<void>((resolve) => (arrived = resolve));
    api.script(answer.hang(arrived));
    const page = await endedByTimeout(
      TIMEOUT_MS,
      () => listProducts({}),
      () => firstRequestIn,
    );
    expect(page.products).toHaveLength(3);
    expect(api.requests).toHaveLength(2);
  });
});

describe('get_payment', () => {
  it('reports a new payment as not paid yet, then as succeeded once the customer pays', async () => {
    const created = await session.call(SAMPLE_PAYMENT);
    const { payment_id: paymentId, payment_link: link } = created.structuredContent as { payment_id: string; payment_link: string };

    const before = await session.call({ payment_id: paymentId }, 'get_payment');
    expect(before.structuredContent).toMatchObject({
      payment_id: paymentId,
      status: 'requires_payment_method',
      total_amount: 7900,
      currency: 'USD',
      customer_id: expect.stringMatching(/^cus_/),
      created_at: expect.any(String),
      payment_link: link,
      environment: 'test_mode',
    });
    expect(JSON.parse(resultText(before))).toEqual(before.structuredContent);

    await fetch(link);
    expect((await session.call({ payment_id: paymentId }, 'get_payment')).structuredContent).toMatchObject({ status: 'succeeded' });
  });

  it('names an unknown payment id', async () => {
    const result = await session.call({ payment_id: 'pay_doesnotexist' }, 'get_payment');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('404 NOT_FOUND');
    expect(resultText(result)).toContain('No payment pay_doesnotexist in test_mode');
  });

  it.each([
    [{}, 'payment_id: is required'],
    [{ payment_id: '../payments' }, 'payment_id: must be a Dodo payment id such as pay_'],
    [{ payment_id: 'pay_1', expand: true }, 'expand: unknown field; remove it'],
  ])('rejects %o without calling the API', async (args, message) => {
    const result = await session.call(args, 'get_payment');
    expect(resultText(result)).toContain(message);
    expect(api.requests).toHaveLength(0);
  });

  it('never shows the API key, even if the API echoes it', async () => {
    api.script(answer.error(400, 'BAD', `bad key ${TEST_KEY}`));
    const result = await session.call({ payment_id: 'pay_1' }, 'get_payment');
    expect(JSON.stringify(result)).not.toContain(TEST_KEY);
  });

  it('says DODO_PAYMENTS_API_KEY is missing when it is', async () => {
    const keyless = await connectInProcess(testConfig({ apiKey: undefined, baseUrl: api.url }));
    for (const [name, args] of [
      ['get_payment', { payment_id: 'pay_1' }],
      ['list_products', {}],
    ] as const) {
      expect(resultText(await keyless.call(args, name))).toContain('DODO_PAYMENTS_API_KEY is not set');
    }
    expect(api.requests).toHaveLength(0);
    await keyless.close();
  });
});
