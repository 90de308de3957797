import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import type { DodoApi } from '../dodo/api-client.js';
import { type ApiFailure, classifyError, classifyFailure, isPaymentObject } from '../dodo/failure-classification.js';
import { type Clock, callWithRetries, type RetryOptions } from '../dodo/retry-policy.js';
import { linkedUntil } from './linked-signal.js';

type Payment = { payment_id: string } & Record<string, unknown>;

export type SendResult =
  | { kind: 'created'; payment: Payment; attempts: number }
  | { kind: 'rejected' | 'not_sent'; failure: ApiFailure; attempts: number }
  /** `lastAttemptAt`: when the last attempt started (Dodo may still commit it until that attempt's deadline). */
  | { kind: 'unknown_outcome'; failure: ApiFailure; attempts: number; lastAttemptAt: number };

export interface SendOptions extends Omit<RetryOptions, 'readOnly' | 'mayAttempt'>, Clock {
  /** How long one attempt may take; it is aborted then, so it has ended (as far as this process can tell) by its deadline. */
  attemptTimeoutMs: number;
  /**
   * Asked before every attempt: whether this run still holds its key for at least `attemptTimeoutMs` (a shared store's
   * lease). No attempt starts without it, so an instance cut off from the store stops sending before its lease can
   * run out and another instance takes the key over.
   */
  holdKeyFor: (ms: number) => Promise<boolean>;
}

/** `POST /payments`, retried only where nothing can have been created, and checked to be a payment. */
export async function sendPayment(api: DodoApi, body: PaymentCreateParams, options: SendOptions): Promise<SendResult> {
  const { attemptTimeoutMs, timeout, now, holdKeyFor, ...retry } = options;
  let attemptSignal: AbortSignal | undefined;
  let lastAttemptAt = now();
  const attempted = await callWithRetries(
    () => {
      const attempt = linkedUntil(options.signal, attemptTimeoutMs, timeout);
      attemptSignal = attempt.signal;
      return api.createPayment(body, attempt.signal).finally(attempt.release);
    },
    // The client's own timeout normally ends an attempt first; this deadline is the backstop the lease relies on.
    (error) => (attemptSignal?.aborted && !options.signal.aborted ? classifyFailure({ type: 'timeout' }) : classifyError(error)),
    {
      ...retry,
      readOnly: false,
      mayAttempt: async () => {
        const held = await holdKeyFor(attemptTimeoutMs);
        lastAttemptAt = now();
        return held;
      },
    },
  );
  if (!attempted.ok) {
    const { failure, attempts } = attempted;
    return failure.kind === 'unknown_outcome'
      ? { kind: failure.kind, failure, attempts, lastAttemptAt }
      : { kind: failure.kind, failure, attempts };
  }
  if (!isPaymentObject(attempted.value)) {
    const failure = classifyFailure({ type: 'not_a_payment' });
    return { kind: 'unknown_outcome', failure, attempts: attempted.attempts, lastAttemptAt };
  }
  return { kind: 'created', payment: attempted.value, attempts: attempted.attempts };
}
