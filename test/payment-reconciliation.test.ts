import { APIError } from 'dodopayments';
import type { PaymentListParams, PaymentListResponse } from 'dodopayments/resources/payments';
import { describe, expect, it } from 'vitest';
import type { DodoApi } from '../src/dodo/api-client.js';
import { findPaymentByReference, paymentReference, RECONCILE_KEY_NAME } from '../src/dodo/payment-reconciliation.js';
import { silentLogger } from '../src/logging/logger.js';

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

function search(api: DodoApi, overrides: { pollForMs?: number; customerId?: string } = {}) {
  let clock = 1_800_000_000_000;
  const sleeps: number[] = [];
  const result = findPaymentByReference({
    api,
    reference: 'ref-1',
    attemptStartedAt: clock,
    pollForMs: overrides.pollForMs ?? 20_000,
    requestTimeoutMs: 30_000,
    ...(overrides.customerId && { customerId: overrides.customerId }),
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    signal: new AbortController().signal,
    logger: silentLogger,
  });
  return { result, sleeps };
}

describe('findPaymentByReference', () => {
  it('reads pages of 100 from just before the attempt until it finds the reference, then fetches the payment', async () => {
    const { api, queries } = stubApi(
      (query) =>
        query.page_number === 2
          ? [listItem('pay_other'), listItem('pay_ours', 'ref-1')]
          : Array.from({ length: 100 }, (_, i) => listItem(`pay_${query.page_number}_${i}`, 'other-ref')),
      (id) => ({ payment_id: id, payment_link: 'https://pay.example/x' }),
    );
    const { result } = search(api, { customerId: 'cus_1' });
    expect(await result).toEqual({ found: true, payment: { payment_id: 'pay_ours', payment_link: 'https://pay.example/x' }, searches: 1 });
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
      return call === 2 ? [] : [listItem('pay_late', 'ref-1')];
    });
    const { result, sleeps } = search(api);
    expect(await result).toMatchObject({ found: true, payment: { payment_id: 'pay_late' }, searches: 3 });
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
        reference: 'ref-1',
        searchedFrom: new Date(1_800_000_000_000 - 60_000).toISOString(),
        searchedForMs: 18_750,
        searches: 10,
        lastFailure: '502 BAD_GATEWAY',
      },
    });
    expect(queries).toHaveLength(10);
    expect(sleeps).toEqual([250, 500, 1_000, 2_000, 3_000, 3_000, 3_000, 3_000, 3_000]);
  });

  it('searches once when there is no window to poll in', async () => {
    const { api, queries } = stubApi(() => []);
    const { result, sleeps } = search(api, { pollForMs: 0 });
    expect(await result).toMatchObject({ found: false, search: { searches: 1 } });
    expect(queries).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('paymentReference', () => {
  it('is a fixed-length hash of the key: the same for the same key on any instance, never the key itself', async () => {
    const reference = paymentReference('order-42');
    expect(reference).toMatch(/^[\w-]{24}$/);
    expect(paymentReference('order-42')).toBe(reference);
    expect(paymentReference('order-43')).not.toBe(reference);
    expect(reference).not.toContain('order-42');
  });
});
