import { APIError } from 'dodopayments';
import type { PaymentCreateParams, PaymentListParams, PaymentListResponse } from 'dodopayments/resources/payments';
import { describe, expect, it } from 'vitest';
import type { DodoApi } from '../src/dodo/api-client.js';
import type { Clock, Sleep } from '../src/dodo/retry-policy.js';
import { silentLogger } from '../src/logging/logger.js';
import { findPaymentByReference, matchesRequest } from '../src/payments/reconcile.js';
import { paymentReference, RECONCILE_KEY_NAME, referenceMatch, referenceValue } from '../src/payments/reference.js';
import { timerOf } from './support/deadlines.js';

const BODY = {
  billing: { country: 'DE' },
  customer: { customer_id: 'cus_1' },
  product_cart: [{ product_id: 'pdt_a', quantity: 1 }],
} as PaymentCreateParams;
const REFERENCE = paymentReference('order-1', JSON.stringify(BODY));
const OURS = referenceValue(REFERENCE);
const OTHER_REQUEST = referenceValue({ ...REFERENCE, request: 'another-request' });

const listItem = (id: string, reference?: string) =>
  ({ payment_id: id, total_amount: 100, metadata: reference ? { [RECONCILE_KEY_NAME]: reference } : {} }) as unknown as PaymentListResponse;

/** A stand-in API whose list answers come from `pages(query, call)`; records every query. */
function stubApi(pages: (query: PaymentListParams, call: number) => PaymentListResponse[], retrieve?: (id: string) => unknown) {
  const queries: PaymentListParams[] = [];
  const api = {
    listPayments: async (query: PaymentListParams) => {
      queries.push(query);
      return pages(query, queries.length);
    },
    retrievePayment: async (id: string) => {
      if (!retrieve) throw APIError.generate(503, { code: 'DOWN', message: 'down' }, undefined, new Headers());
      return retrieve(id);
    },
  } as unknown as DodoApi;
  return { api, queries };
}

/** An API whose list never answers; its request ends only when aborted. */
const listThatNeverAnswers = () =>
  ({
    listPayments: (_query: PaymentListParams, signal: AbortSignal) =>
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
  }) as unknown as DodoApi;

function search(
  api: DodoApi,
  overrides: {
    pollForMs?: number;
    body?: PaymentCreateParams;
    signal?: AbortSignal;
    timeout?: Clock['timeout'];
    sleep?: Sleep;
  } = {},
) {
  let clock = 1_800_000_000_000;
  const sleeps: number[] = [];
  const result = findPaymentByReference({
    api,
    reference: REFERENCE,
    body: overrides.body ?? BODY,
    byCustomer: true,
    attemptStartedAt: clock,
    pollForMs: overrides.pollForMs ?? 20_000,
    requestTimeoutMs: 30_000,
    now: () => clock,
    sleep:
      overrides.sleep ??
      (async (ms) => {
        sleeps.push(ms);
        clock += ms;
      }),
    timeout: overrides.timeout ?? timerOf(),
    signal: overrides.signal ?? new AbortController().signal,
    logger: silentLogger,
  });
  return { result, sleeps };
}

describe('findPaymentByReference', () => {
  it('reads pages of 100 from just before the attempt until it finds the reference, then fetches the payment', async () => {
    const { api, queries } = stubApi(
      (query) =>
        query.page_number === 2
          ? [listItem('pay_other'), listItem('pay_ours', OURS)]
          : Array.from({ length: 100 }, (_, i) => listItem(`pay_${query.page_number}_${i}`, 'other-ref.x')),
      (id) => ({ payment_id: id, payment_link: 'https://pay.example/x' }),
    );
    const { result } = search(api);
    expect(await result).toEqual({
      found: 'same_request',
      payment: { payment_id: 'pay_ours', payment_link: 'https://pay.example/x' },
      searches: 1,
    });
    expect(queries.map((query) => query.page_number)).toEqual([0, 1, 2]);
    expect(queries[0]).toEqual({
      created_at_gte: new Date(1_800_000_000_000 - 60_000).toISOString(),
      page_size: 100,
      page_number: 0,
      customer_id: 'cus_1',
    });
  });

  it('keeps polling through failed searches, and returns the list item when the payment itself cannot be read', async () => {
    const { api } = stubApi((_query, call) => {
      if (call === 1) throw APIError.generate(503, { code: 'DOWN', message: 'down' }, undefined, new Headers());
      return call === 2 ? [] : [listItem('pay_late', OURS)];
    });
    const { result, sleeps } = search(api);
    expect(await result).toMatchObject({ found: 'same_request', payment: { payment_id: 'pay_late' }, searches: 3 });
    // Two waits between searches, then the read of the payment retried twice before falling back to the item.
    expect(sleeps).toEqual([250, 500, 250, 500]);
  });

  it('stops at the window, saying how many searches over how long and why the last one failed', async () => {
    const { api, queries } = stubApi(() => {
      throw APIError.generate(502, { code: 'BAD_GATEWAY', message: 'bad' }, undefined, new Headers());
    });
    const { result, sleeps } = search(api);
    expect(await result).toEqual({
      found: false,
      search: {
        reference: OURS,
        searchedFrom: new Date(1_800_000_000_000 - 60_000).toISOString(),
        searchedForMs: 20_000,
        searches: 11,
        lastFailure: '502 BAD_GATEWAY',
      },
    });
    expect(queries).toHaveLength(11);
    // The back-off, then one last search at the end of the window.
    expect(sleeps).toEqual([250, 500, 1_000, 2_000, 3_000, 3_000, 3_000, 3_000, 3_000, 1_250]);
  });

  it('searches once when there is no window to poll in', async () => {
    const { api, queries } = stubApi(() => []);
    const { result, sleeps } = search(api, { pollForMs: 0 });
    expect(await result).toMatchObject({ found: false, search: { searches: 1 } });
    expect(queries).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("a payment under the key made for other arguments is another request's: the search says so and stops", async () => {
    const { api, queries } = stubApi(
      () => [listItem('pay_theirs', OTHER_REQUEST)],
      (id) => ({ payment_id: id }),
    );
    const { result, sleeps } = search(api);
    expect(await result).toEqual({ found: 'other_request', paymentId: 'pay_theirs', searches: 1 });
    expect(queries).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("prefers this request's payment to another request's under the same key", async () => {
    const { api } = stubApi(
      () => [listItem('pay_theirs', OTHER_REQUEST), listItem('pay_ours', OURS)],
      (id) => ({ payment_id: id }),
    );
    expect(await search(api).result).toMatchObject({ found: 'same_request', payment: { payment_id: 'pay_ours' } });
  });

  it('a payment carrying our reference for another customer or cart is not ours (a copied reference)', async () => {
    const { api } = stubApi(
      () => [listItem('pay_copied', OURS)],
      (id) => ({ payment_id: id, customer: { customer_id: 'cus_mallory' }, product_cart: [{ product_id: 'pdt_a', quantity: 1 }] }),
    );
    expect(await search(api).result).toEqual({ found: 'other_request', paymentId: 'pay_copied', searches: 1 });
  });

  it('more pages than it reads is a search that could not tell, not "not found"', async () => {
    const { api, queries } = stubApi((query) => Array.from({ length: 100 }, (_, i) => listItem(`pay_${query.page_number}_${i}`)));
    const { result } = search(api, { pollForMs: 0 });
    expect(await result).toMatchObject({ found: false, search: { lastFailure: 'more than 1000 payments in the window' } });
    expect(queries).toHaveLength(10);
  });

  it('ends at its deadline, even while a request hangs, and says so', async () => {
    const deadline = new AbortController();
    const api = listThatNeverAnswers();
    const { result } = search(api, { timeout: timerOf(deadline.signal), sleep: async () => {} });
    deadline.abort();
    expect(await result).toMatchObject({ found: false, search: { searches: 1, lastFailure: 'time limit reached' } });
  });

  it('clears its deadline when it ends', async () => {
    let cleared = 0;
    const { api } = stubApi(() => []);
    const { result } = search(api, {
      pollForMs: 0,
      timeout: timerOf(undefined, () => void cleared++),
    });
    expect(await result).toMatchObject({ found: false });
    expect(cleared).toBe(1);
  });

  it('a cancelled search is one that could not tell', async () => {
    const cancel = new AbortController();
    const api = listThatNeverAnswers();
    const { result } = search(api, { signal: cancel.signal });
    cancel.abort();
    expect(await result).toMatchObject({ found: false, search: { lastFailure: expect.any(String) } });
  });
});

describe('matchesRequest', () => {
  const payment = {
    customer: { customer_id: 'cus_1', email: 'ada@example.com' },
    currency: 'EUR',
    product_cart: [{ product_id: 'pdt_a', quantity: 1 }],
  };
  it('holds when customer, cart and currency agree, and when the payment does not say', () => {
    expect(matchesRequest(payment, BODY)).toBe(true);
    expect(matchesRequest({}, BODY)).toBe(true);
    expect(matchesRequest(payment, { ...BODY, customer: { email: 'ADA@example.com' } } as PaymentCreateParams)).toBe(true);
  });
  it.each([
    ['another customer id', { ...BODY, customer: { customer_id: 'cus_2' } }],
    ['another email', { ...BODY, customer: { email: 'mallory@example.com' } }],
    ['another quantity', { ...BODY, product_cart: [{ product_id: 'pdt_a', quantity: 2 }] }],
    ['another product', { ...BODY, product_cart: [{ product_id: 'pdt_b', quantity: 1 }] }],
    [
      'another cart length',
      {
        ...BODY,
        product_cart: [
          { product_id: 'pdt_a', quantity: 1 },
          { product_id: 'pdt_b', quantity: 1 },
        ],
      },
    ],
    ['another currency', { ...BODY, billing_currency: 'USD' }],
  ])('fails for %s', (_name, body) => {
    expect(matchesRequest(payment, body as PaymentCreateParams)).toBe(false);
  });
  it('compares a pay-what-you-want amount', () => {
    const pwyw = { ...BODY, product_cart: [{ product_id: 'pdt_a', quantity: 1, amount: 500 }] };
    expect(matchesRequest({ product_cart: [{ product_id: 'pdt_a', quantity: 1, amount: 500 }] }, pwyw)).toBe(true);
    expect(matchesRequest({ product_cart: [{ product_id: 'pdt_a', quantity: 1, amount: 900 }] }, pwyw)).toBe(false);
  });
});

describe('paymentReference', () => {
  it('is a fixed-length hash of the key and one of the request: the same on any instance, never the key itself', async () => {
    const reference = paymentReference('order-42', '{"a":1}');
    expect(referenceValue(reference)).toMatch(/^[\w-]{24}\.[\w-]{16}$/);
    expect(paymentReference('order-42', '{"a":1}')).toEqual(reference);
    expect(paymentReference('order-43', '{"a":1}').key).not.toBe(reference.key);
    expect(paymentReference('order-42', '{"a":2}')).toEqual({ key: reference.key, request: expect.not.stringMatching(reference.request) });
    expect(referenceValue(reference)).not.toContain('order-42');
  });

  it('tells this request, another request under the key, and anything else apart', () => {
    const reference = paymentReference('order-42', '{"a":1}');
    expect(referenceMatch(referenceValue(reference), reference)).toBe('same_request');
    expect(referenceMatch(referenceValue(paymentReference('order-42', '{"a":2}')), reference)).toBe('other_request');
    expect(referenceMatch(reference.key, reference)).toBe('other_request');
    expect(referenceMatch(referenceValue(paymentReference('order-43', '{"a":1}')), reference)).toBe('none');
    expect(referenceMatch(42, reference)).toBe('none');
  });
});
