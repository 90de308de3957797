import type { PaymentCreateParams, PaymentListResponse } from 'dodopayments/resources/payments';
import { describe, expect, it } from 'vitest';
import type { DodoApi } from '../src/dodo/api-client.js';
import { RECONCILE_KEY_NAME } from '../src/dodo/payment-reconciliation.js';
import { silentLogger } from '../src/logging/logger.js';
import { InFlightPayments } from '../src/server/in-flight-payments.js';
import { createPaymentOnce } from '../src/tools/create-one-time-payment/exactly-once.js';
import { testConfig } from './support/in-process.js';

const BODY = {
  billing: { country: 'DE' },
  customer: { customer_id: 'cus_1' },
  product_cart: [{ product_id: 'pdt_a', quantity: 1 }],
} as PaymentCreateParams;

/** An API that lists `listed` and creates `pay_new` for every POST, counting them. */
function stubApi(listed: PaymentListResponse[]) {
  const posts: PaymentCreateParams[] = [];
  const api = {
    listPayments: async () => listed,
    retrievePayment: async (id: string) => ({ payment_id: id, payment_link: 'https://pay.example/x' }),
    createPayment: async (body: PaymentCreateParams) => {
      posts.push(body);
      return { payment_id: 'pay_new', total_amount: 1 };
    },
  } as unknown as DodoApi;
  return { api, posts };
}

const context = (api: DodoApi) => ({
  api: () => api,
  config: testConfig({ reconcileMs: 1_000 }),
  logger: silentLogger,
  now: () => 1_800_000_000_000,
  sleep: async () => {},
  signal: new AbortController().signal,
});

describe('a run after an abandoned one (a shared store whose owner crashed)', () => {
  it('finds the payment the abandoned run created, and sends nothing', async () => {
    const { api, posts } = stubApi([
      { payment_id: 'pay_old', metadata: { [RECONCILE_KEY_NAME]: 'ref' } } as unknown as PaymentListResponse,
    ]);
    const outcome = await createPaymentOnce(BODY, 'ref', { kind: 'abandoned', startedAt: 1_799_999_000_000 }, context(api));
    expect(outcome).toMatchObject({ kind: 'created', attempts: 0, payment: { payment_id: 'pay_old' }, recovered: {} });
    expect(posts).toHaveLength(0);
  });

  it('sends once, with the same reference, when the abandoned run created nothing', async () => {
    const { api, posts } = stubApi([]);
    const outcome = await createPaymentOnce(BODY, 'ref', { kind: 'abandoned', startedAt: 1_799_999_000_000 }, context(api));
    expect(outcome).toMatchObject({ kind: 'created', payment: { payment_id: 'pay_new' } });
    expect(posts.map((body) => body.metadata)).toEqual([{ [RECONCILE_KEY_NAME]: 'ref' }]);
  });
});

describe('InFlightPayments', () => {
  it('waits for runs that finish within the grace period, counting them, and stops accepting', async () => {
    const payments = new InFlightPayments();
    let finish!: () => void;
    void payments.track(new Promise<void>((resolve) => (finish = resolve)));
    const drained = payments.drain(60_000);
    expect(payments.accepting).toBe(false);
    finish();
    expect(await drained).toEqual({ finished: 1, aborted: 0 });
    expect(payments.signal.aborted).toBe(true);
  });

  it('aborts runs still going after the grace period and waits for them to end, including one started meanwhile', async () => {
    const payments = new InFlightPayments();
    const untilAborted = () => new Promise<void>((resolve) => payments.signal.addEventListener('abort', () => resolve(), { once: true }));
    void payments.track(untilAborted());
    const drained = payments.drain(0);
    void payments.track(untilAborted());
    expect(await drained).toEqual({ finished: 0, aborted: 2 });
  });
});
