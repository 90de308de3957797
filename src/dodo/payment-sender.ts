import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import type { DodoApi } from './api-client.js';
import { type ApiFailure, classifyError, classifyFailure, isPaymentObject } from './failure-classification.js';
import { callWithRetries, type RetryOptions } from './retry-policy.js';

type Payment = { payment_id: string } & Record<string, unknown>;

export type SendResult =
  | { kind: 'created'; payment: Payment; attempts: number }
  | { kind: 'rejected' | 'not_sent' | 'unknown_outcome'; failure: ApiFailure; attempts: number };

/** `POST /payments`, retried only where nothing can have been created, and checked to be a payment. */
export async function sendPayment(api: DodoApi, body: PaymentCreateParams, options: Omit<RetryOptions, 'readOnly'>): Promise<SendResult> {
  const attempted = await callWithRetries(() => api.createPayment(body, options.signal), classifyError, { ...options, readOnly: false });
  if (!attempted.ok) return { kind: attempted.failure.kind, failure: attempted.failure, attempts: attempted.attempts };
  if (!isPaymentObject(attempted.value)) {
    const failure = classifyFailure({ type: 'not_a_payment' });
    return { kind: failure.kind, failure, attempts: attempted.attempts };
  }
  return { kind: 'created', payment: attempted.value, attempts: attempted.attempts };
}
