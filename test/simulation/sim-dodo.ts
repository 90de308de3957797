import { APIConnectionError, APIError, APIUserAbortError } from 'dodopayments/core/error';
import type { PaymentCreateParams, PaymentListParams, PaymentListResponse } from 'dodopayments/resources/payments';
import type { DodoApi } from '../../src/dodo/api-client.js';
import type { Random, Scheduler } from './scheduler.js';

/** A payment the simulated API created: what a request asked for, and when it became visible in the list. */
export interface SimPayment {
  payment_id: string;
  created_at: string;
  metadata: Record<string, string>;
  customer: { customer_id?: string; email?: string };
  product_cart: PaymentCreateParams['product_cart'];
  total_amount: number;
  visibleAt: number;
}

/** What a POST may run into: every way a real one ends, including "created, but the answer is lost". */
const POST_FATES = [
  ['created', 50],
  ['created_then_502', 8],
  ['created_then_reset', 6],
  ['created_then_silence', 10],
  ['silence', 6],
  ['rate_limited', 10],
  ['refused', 5],
  ['reset_before_sending', 4],
] as const;
type PostFate = (typeof POST_FATES)[number][0];

/** The product id the simulated API refuses with a 422 (a request to correct, then retry under the same key). */
export const INVALID_PRODUCT = 'pdt_invalid';

/**
 * Dodo's API as the payment protocol meets it, over simulated time: it commits within the client's timeout (Dodo's
 * own processing bound, which the protocol's fencing assumes), answers late or never, refuses with 429 and 422, and
 * lists a payment only after a lag no longer than `maxListingLagMs`.
 */
export class SimDodo {
  readonly payments: SimPayment[] = [];
  readonly log: string[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: Random,
    private readonly timeoutMs: number,
    private readonly maxListingLagMs: number,
  ) {}

  /**
   * The API as one instance sees it; once `alive` is false (a crash) no answer reaches it, but what it sent still lands.
   * `onPost` hears of every POST as it leaves (the moment a targeted fault does the most harm).
   */
  client(instance: string, alive: () => boolean, onPost: () => void = () => undefined): DodoApi {
    return {
      createPayment: (body, signal) =>
        this.answer(alive, signal, (respond, fail) => {
          onPost();
          this.post(instance, body, respond, fail);
        }),
      listPayments: (query, signal) =>
        this.answer(alive, signal, (respond, fail) => {
          if (this.random.chance(0.03)) return; // never answers
          const latency = this.random.between(5, 80);
          this.scheduler.at(this.scheduler.now + latency, () =>
            this.random.chance(0.05)
              ? fail(APIError.generate(503, { code: 'UNAVAILABLE', message: 'down' }, undefined, new Headers()))
              : respond(this.list(query)),
          );
        }),
      retrievePayment: (id, signal) =>
        this.answer(alive, signal, (respond) => {
          const payment = this.payments.find((candidate) => candidate.payment_id === id);
          this.scheduler.at(this.scheduler.now + this.random.between(5, 50), () =>
            respond(payment && { ...stripped(payment), payment_link: `https://pay.example/${id}` }),
          );
        }),
      listProducts: () => Promise.reject(new Error('not simulated')),
      retrieveProduct: () => Promise.reject(new Error('not simulated')),
    };
  }

  /** A call's answer: whatever `start` settles it with, unless the caller aborts first or the process is gone. */
  private answer<T>(
    alive: () => boolean,
    signal: AbortSignal | undefined,
    start: (respond: (value: T) => void, fail: (error: unknown) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (settle: () => void) => {
        if (done || !alive()) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => finish(() => reject(new APIUserAbortError()));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      start(
        (value) => finish(() => resolve(value)),
        (error) => finish(() => reject(error)),
      );
    });
  }

  private post(instance: string, body: PaymentCreateParams, respond: (value: unknown) => void, fail: (error: unknown) => void): undefined {
    const { now } = this.scheduler;
    const invalid = body.product_cart.some((line) => line.product_id === INVALID_PRODUCT);
    const fate: PostFate = invalid ? 'created' : this.fate();
    const latency = this.random.between(20, this.timeoutMs - 1);
    const quick = this.random.between(20, 400);
    const at = (delay: number, then: () => void): undefined => {
      this.scheduler.at(now + delay, then);
    };
    const reference = body.metadata?.mcp_ref ?? '';
    this.log.push(`${seconds(now)} ${instance} POST ${reference} → ${invalid ? '422' : fate}`);
    if (invalid)
      return at(quick, () =>
        fail(APIError.generate(422, { code: 'INVALID_REQUEST_BODY', message: 'no such product' }, undefined, new Headers())),
      );
    switch (fate) {
      case 'created':
        return at(quick, () => respond(this.commit(body)));
      case 'created_then_502':
        return at(latency, () => {
          this.commit(body);
          fail(APIError.generate(502, undefined, 'Bad gateway', new Headers()));
        });
      case 'created_then_reset':
        return at(latency, () => {
          this.commit(body);
          fail(new APIConnectionError({ message: 'socket hang up' }));
        });
      case 'created_then_silence':
        return at(latency, () => void this.commit(body));
      case 'silence':
        return;
      case 'rate_limited':
        return at(quick, () =>
          fail(
            APIError.generate(
              429,
              { code: 'TOO_MANY_REQUESTS', message: 'slow down' },
              undefined,
              new Headers({ 'retry-after': String(this.random.between(0, 10)) }),
            ),
          ),
        );
      case 'refused':
        return at(1, () =>
          fail(new APIConnectionError({ message: 'refused', cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) })),
        );
      case 'reset_before_sending':
        return at(quick, () =>
          fail(new APIConnectionError({ message: 'refused', cause: Object.assign(new Error('unreachable'), { code: 'EHOSTUNREACH' }) })),
        );
    }
  }

  private fate(): PostFate {
    const total = POST_FATES.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.random.next() * total;
    for (const [fate, weight] of POST_FATES) {
      roll -= weight;
      if (roll < 0) return fate;
    }
    return 'created';
  }

  private commit(body: PaymentCreateParams): Record<string, unknown> {
    const { now } = this.scheduler;
    const payment: SimPayment = {
      payment_id: `pay_${this.payments.length + 1}`,
      created_at: new Date(now).toISOString(),
      metadata: { ...(body.metadata as Record<string, string>) },
      customer: 'customer_id' in body.customer ? { customer_id: body.customer.customer_id } : { email: body.customer.email },
      product_cart: body.product_cart,
      total_amount: 1999,
      visibleAt: now + (this.random.chance(0.3) ? this.random.between(0, this.maxListingLagMs) : 0),
    };
    this.payments.push(payment);
    this.log.push(`${seconds(now)} committed ${payment.payment_id} ${payment.metadata.mcp_ref}`);
    return { ...stripped(payment), payment_link: `https://pay.example/${payment.payment_id}` };
  }

  private list(query: PaymentListParams): PaymentListResponse[] {
    const from = query.created_at_gte ? Date.parse(query.created_at_gte) : 0;
    const visible = this.payments
      .filter((payment) => payment.visibleAt <= this.scheduler.now && Date.parse(payment.created_at) >= from)
      .filter((payment) => !query.customer_id || payment.customer.customer_id === query.customer_id)
      .reverse();
    const size = query.page_size ?? 10;
    const page = query.page_number ?? 0;
    return visible.slice(page * size, (page + 1) * size).map((payment) => stripped(payment) as unknown as PaymentListResponse);
  }
}

const stripped = ({ visibleAt: _, ...payment }: SimPayment) => payment;

export const seconds = (ms: number) => `[${(ms / 1000).toFixed(3)}s]`;
