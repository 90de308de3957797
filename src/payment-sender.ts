import { describeFailure, describeUnreadablePayment, isPaymentObject, type Failure, type FailureContext } from './api-failures.js';
import type { Logger } from './log.js';
import type { PaymentsApi } from './payments-api.js';
import type { PaymentCreateParams } from 'dodopayments/resources/payments';

export const MAX_RETRIES = 2;
export const MAX_RETRY_WAIT_MS = 10_000;
const CONNECT_BACKOFF_MS = 250;
const RATE_LIMIT_BACKOFF_MS = 1_000;

export type Payment = { payment_id: string } & Record<string, unknown>;

export type PaymentOutcome = { kind: 'created'; payment: Payment; attempts: number } | { kind: Failure['kind']; failure: Failure; attempts: number };

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface SendOptions {
  signal: AbortSignal;
  sleep: Sleep;
  logger: Logger;
  context: FailureContext;
}

/**
 * How long to wait before re-sending, or undefined to stop. Only failures that certainly created
 * nothing are retried: a 429, and a connection that was never made. Never a timeout, 5xx or reset.
 */
export function retryDelayMs(failure: Failure, retriesSoFar: number): number | undefined {
  if (retriesSoFar >= MAX_RETRIES) return undefined;
  if (failure.kind === 'not_sent') return CONNECT_BACKOFF_MS * 2 ** retriesSoFar;
  if (failure.status === 429) {
    const asked = failure.retryAfterSeconds !== undefined ? failure.retryAfterSeconds * 1000 : RATE_LIMIT_BACKOFF_MS * 2 ** retriesSoFar;
    return Math.min(MAX_RETRY_WAIT_MS, asked);
  }
  return undefined;
}

export async function sendPayment(api: PaymentsApi, body: PaymentCreateParams, options: SendOptions): Promise<PaymentOutcome> {
  for (let attempt = 1; ; attempt++) {
    let response: unknown;
    try {
      response = await api.createPayment(body, options.signal);
    } catch (error) {
      const failure = describeFailure(error, options.context);
      const delay = options.signal.aborted ? undefined : retryDelayMs(failure, attempt - 1);
      if (delay === undefined) return { kind: failure.kind, failure, attempts: attempt };
      options.logger.debug('retry', { after: failure.label, attempt, delay_ms: delay });
      await options.sleep(delay, options.signal);
      // Cancelled while waiting: the last failure was definite, so say that, not "cancelled in flight".
      if (options.signal.aborted) return { kind: failure.kind, failure, attempts: attempt };
      continue;
    }
    if (!isPaymentObject(response)) {
      return { kind: 'unknown_outcome', failure: describeUnreadablePayment(), attempts: attempt };
    }
    return { kind: 'created', payment: response, attempts: attempt };
  }
}

/** setTimeout that ends early when the call is cancelled and leaves no timer or listener behind. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
