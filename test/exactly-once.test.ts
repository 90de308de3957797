// The payment protocol driven directly (src/payments/), over an injected clock and a stand-in API that keeps what
// it creates: every case counts the POSTs.
import { APIConnectionError, APIError } from 'dodopayments';
import type { PaymentCreateParams, PaymentListParams, PaymentListResponse } from 'dodopayments/resources/payments';
import { describe, expect, it } from 'vitest';
import type { DodoApi } from '../src/dodo/api-client.js';
import type { KeyHold } from '../src/idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-store.js';
import { silentLogger } from '../src/logging/logger.js';
import { createPaymentOnce } from '../src/payments/exactly-once.js';
import { InFlightPayments } from '../src/payments/in-flight-payments.js';
import type { PaymentOutcome } from '../src/payments/outcome.js';
import { callCreatePayment, type PaymentCallResult } from '../src/payments/payment-call.js';
import { paymentReference, RECONCILE_KEY_NAME, referenceValue } from '../src/payments/reference.js';
import { timerOf } from './support/deadlines.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ADA = {
  billing: { country: 'DE' },
  customer: { email: 'ada@example.com' },
  product_cart: [{ product_id: 'pdt_a', quantity: 1 }],
} as PaymentCreateParams;
const MALLORY = { ...ADA, customer: { email: 'mallory@example.com' } } as PaymentCreateParams;
const BIG_CART = { ...ADA, product_cart: [{ product_id: 'pdt_a', quantity: 10 }] } as PaymentCreateParams;

type Stored = PaymentListResponse & { product_cart: PaymentCreateParams['product_cart'] };
type Behaviour = 'create' | 'commit_then_fail' | 'reject' | 'connection_error';

/** A stand-in API over the test's clock: it keeps the payments it creates, lists them as Dodo does, and counts POSTs. */
function simulatedApi(clock: { now: number }) {
  const payments: Stored[] = [];
  const behaviours: Behaviour[] = [];
  let hidden = false;
  let listing: ((signal: AbortSignal) => Promise<void>) | undefined;
  const api = {
    posts: 0,
    lists: 0,
    payments,
    /** How the next POSTs behave (then: create). */
    next: (...next: Behaviour[]) => behaviours.push(...next),
    /** Created payments are left out of the list while true (a list that lags). */
    hide: (value: boolean) => {
      hidden = value;
    },
    /** Every list request waits for this first (e.g. until cancelled). */
    holdListing: (hold: typeof listing) => {
      listing = hold;
    },
    createPayment: async (body: PaymentCreateParams) => {
      api.posts += 1;
      const behaviour = behaviours.shift() ?? 'create';
      if (behaviour === 'reject')
        throw APIError.generate(422, { code: 'INVALID_REQUEST_BODY', message: 'bad cart' }, undefined, new Headers());
      if (behaviour === 'connection_error') throw new APIConnectionError({ message: 'socket hang up' });
      const payment = {
        payment_id: `pay_${payments.length + 1}`,
        created_at: new Date(clock.now).toISOString(),
        metadata: body.metadata ?? {},
        customer: 'email' in body.customer ? { email: body.customer.email } : { customer_id: body.customer.customer_id },
        product_cart: body.product_cart,
        total_amount: 1999,
      } as unknown as Stored;
      payments.push(payment);
      if (behaviour === 'commit_then_fail') throw APIError.generate(502, undefined, 'Bad gateway', new Headers());
      return { ...payment, payment_link: `https://pay.example/${payment.payment_id}` };
    },
    listPayments: async (query: PaymentListParams, signal: AbortSignal) => {
      api.lists += 1;
      await listing?.(signal);
      const from = query.created_at_gte ? Date.parse(query.created_at_gte) : 0;
      const items = hidden ? [] : payments.filter((payment) => Date.parse(payment.created_at) >= from);
      const page = query.page_number ?? 0;
      const size = query.page_size ?? 10;
      return items.slice(page * size, (page + 1) * size);
    },
    retrievePayment: async (id: string) => {
      const payment = payments.find((candidate) => candidate.payment_id === id);
      return payment && { ...payment, payment_link: `https://pay.example/${id}` };
    },
  };
  return api;
}

/** One server instance: its own memory store (made `storeAgeMs` ago) over the shared API and clock. */
function instance(api: ReturnType<typeof simulatedApi>, clock: { now: number }, { reconcileMs = 1_000, storeAgeMs = 0 } = {}) {
  const madeAt = clock.now;
  clock.now -= storeAgeMs;
  const idempotency = new MemoryIdempotencyStore<PaymentOutcome>({ now: () => clock.now });
  clock.now = madeAt;
  const payments = new InFlightPayments();
  return (body: PaymentCreateParams, key: string | undefined, signal = new AbortController().signal): Promise<PaymentCallResult> =>
    callCreatePayment(body, key, {
      api: () => api as unknown as DodoApi,
      config: { timeoutMs: 30_000, reconcileMs },
      logger: silentLogger,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms;
      },
      timeout: timerOf(),
      signal,
      idempotency,
      track: (run) => payments.track(run),
    });
}

const outcomeOf = (result: PaymentCallResult): PaymentOutcome | string =>
  result.call.kind === 'settled' ? result.call.outcome : result.call.kind;

describe('a key this process has no record of (it may have been used before it started)', () => {
  it("another customer's call under a used key is a conflict naming that payment; nothing is sent (no wrong recovery)", async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    await instance(api, clock)(ADA, 'order-1');
    // Another instance without shared records (or this one after a restart), the same key, another customer.
    clock.now += 60_000;
    const other = instance(api, clock);
    expect(outcomeOf(await other(MALLORY, 'order-1'))).toEqual({ kind: 'key_reused', paymentId: 'pay_1', attempts: 0 });
    expect(outcomeOf(await other(BIG_CART, 'order-1'))).toEqual({ kind: 'key_reused', paymentId: 'pay_1', attempts: 0 });
    expect(api.posts).toBe(1);
  });

  it('the same call under a used key returns that payment, recovered, and sends nothing', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    await instance(api, clock)(ADA, 'order-1');
    clock.now += 60 * 60_000;
    expect(outcomeOf(await instance(api, clock)(ADA, 'order-1'))).toMatchObject({
      kind: 'created',
      attempts: 0,
      payment: { payment_id: 'pay_1' },
      recovered: {},
    });
    expect(api.posts).toBe(1);
  });

  it('looks before sending only with a key the caller chose, and only for the retention time after the store began', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    await instance(api, clock)(ADA, undefined);
    expect(api.lists).toBe(0);
    await instance(api, clock, { storeAgeMs: DAY_MS })(ADA, 'order-2');
    expect(api.lists).toBe(0);
    await instance(api, clock, { storeAgeMs: DAY_MS - 1 })(ADA, 'order-3');
    expect(api.lists).toBe(1);
    expect(api.posts).toBe(3);
  });
});

describe('retries under a key whose outcome was unknown', () => {
  it('a retry cancelled during its look-first search keeps the key unresolved; the next retry finds the payment: one POST', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    const call = instance(api, clock, { storeAgeMs: DAY_MS });
    api.hide(true);
    api.next('commit_then_fail');
    expect(outcomeOf(await call(ADA, 'order-1'))).toMatchObject({ kind: 'unknown_outcome', search: { reference: expect.any(String) } });

    const cancel = new AbortController();
    api.holdListing((signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));
    const cancelled = call(ADA, 'order-1', cancel.signal);
    await Promise.resolve();
    cancel.abort();
    expect((await cancelled).call).toEqual({ kind: 'left' });
    // The run behind the cancelled call ends too; give it its turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(api.posts).toBe(1);

    api.holdListing(undefined);
    api.hide(false);
    expect(outcomeOf(await call(ADA, 'order-1'))).toMatchObject({ kind: 'created', attempts: 0, payment: { payment_id: 'pay_1' } });
    expect(api.posts).toBe(1);
  });

  it('a retry ten minutes later looks from the first attempt, not from "now": recovered, one POST', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    const call = instance(api, clock, { storeAgeMs: DAY_MS });
    api.hide(true);
    api.next('commit_then_fail');
    expect(outcomeOf(await call(ADA, 'order-1'))).toMatchObject({ kind: 'unknown_outcome' });
    clock.now += 10 * 60_000;
    api.hide(false);
    expect(outcomeOf(await call(ADA, 'order-1'))).toMatchObject({
      kind: 'created',
      payment: { payment_id: 'pay_1' },
      recovered: { failure: { label: '502' } },
    });
    expect(api.posts).toBe(1);
  });

  it('a definite rejection frees the key: the same key with corrected arguments is a fresh run, then replays', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    const call = instance(api, clock, { storeAgeMs: DAY_MS });
    api.next('reject');
    expect(outcomeOf(await call(BIG_CART, 'order-1'))).toMatchObject({ kind: 'rejected', failure: { label: '422 INVALID_REQUEST_BODY' } });
    expect(outcomeOf(await call(ADA, 'order-1'))).toMatchObject({ kind: 'created', attempts: 1, payment: { payment_id: 'pay_1' } });
    const replay = await call(ADA, 'order-1');
    expect(replay.call).toMatchObject({ kind: 'settled', replayed: true, outcome: { payment: { payment_id: 'pay_1' } } });
    expect(api.posts).toBe(2);
  });

  it('a connection error with no code is an unknown outcome, never a rejection', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    api.next('connection_error');
    expect(outcomeOf(await instance(api, clock, { storeAgeMs: DAY_MS, reconcileMs: 0 })(ADA, 'order-1'))).toMatchObject({
      kind: 'unknown_outcome',
      failure: { label: 'connection error' },
    });
  });
});

describe('createPaymentOnce after an interrupted run (a shared store whose owner crashed)', () => {
  const reference = paymentReference('order-1', JSON.stringify(ADA));
  const context = (api: ReturnType<typeof simulatedApi>, clock: { now: number }, hold: KeyHold = { holdFor: async () => true }) => ({
    api: () => api as unknown as DodoApi,
    config: { timeoutMs: 30_000, reconcileMs: 1_000 },
    logger: silentLogger,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.now += ms;
    },
    timeout: timerOf(),
    signal: new AbortController().signal,
    hold,
    callerGaveKey: true,
  });

  it('finds the payment the interrupted run created, and sends nothing', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    await api.createPayment({ ...ADA, metadata: { [RECONCILE_KEY_NAME]: referenceValue(reference) } });
    const outcome = await createPaymentOnce(
      ADA,
      reference,
      { kind: 'abandoned', startedAt: clock.now, quietAt: clock.now },
      context(api, clock),
    );
    expect(outcome).toMatchObject({
      kind: 'created',
      attempts: 0,
      payment: { payment_id: 'pay_1' },
      recovered: { failure: { label: 'interrupted' } },
    });
    expect(api.posts).toBe(1);
  });

  it('keeps looking until every request the previous owner may have had in flight would be visible, then sends once', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    const startedAt = clock.now;
    const outcome = await createPaymentOnce(
      ADA,
      reference,
      { kind: 'abandoned', startedAt, quietAt: startedAt + 20_000 },
      context(api, clock),
    );
    expect(outcome).toMatchObject({ kind: 'created', attempts: 1 });
    expect(clock.now).toBeGreaterThanOrEqual(startedAt + 20_000);
    expect(api.posts).toBe(1);
    expect(api.payments[0]?.metadata).toEqual({ [RECONCILE_KEY_NAME]: referenceValue(reference) });
  });

  it('sends nothing when the key cannot be held for the whole attempt (the store is cut off)', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    const asked: number[] = [];
    const hold = {
      holdFor: async (ms: number) => {
        asked.push(ms);
        return false;
      },
    };
    const outcome = await createPaymentOnce(ADA, reference, undefined, context(api, clock, hold));
    expect(outcome).toMatchObject({ kind: 'not_sent', attempts: 0, failure: { label: 'lease_lost' } });
    expect(asked).toEqual([31_000]);
    expect(api.posts).toBe(0);
  });

  it('a look that cannot finish sends nothing and keeps the interrupted run to be resolved', async () => {
    const clock = { now: 1_800_000_000_000 };
    const api = simulatedApi(clock);
    api.listPayments = async () => {
      throw APIError.generate(503, { code: 'DOWN', message: 'down' }, undefined, new Headers());
    };
    const outcome = await createPaymentOnce(ADA, reference, { kind: 'abandoned', startedAt: 42, quietAt: 42 }, context(api, clock));
    expect(outcome).toMatchObject({ kind: 'unknown_outcome', attempts: 0, attemptStartedAt: 42, failure: { label: 'interrupted' } });
    expect(api.posts).toBe(0);
  });
});
