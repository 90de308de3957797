import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import { describeFailure, describeUnreadablePayment, isPaymentObject, type ApiContext, type Failure } from './api-failures.js';
import type { DodoApi } from './dodo-api.js';
import { callWithRetries, type RetryOptions } from './retry-policy.js';

export type Payment = { payment_id: string } & Record<string, unknown>;

export type PaymentOutcome = { kind: 'created'; payment: Payment; attempts: number } | { kind: Failure['kind']; failure: Failure; attempts: number };

/** `POST /payments`, retried only where nothing can have been created, and checked to be a payment. */
export async function sendPayment(
  api: DodoApi,
  body: PaymentCreateParams,
  options: Omit<RetryOptions, 'readOnly'> & { context: ApiContext },
): Promise<PaymentOutcome> {
  const productIds = body.product_cart.map((item) => item.product_id);
  const attempted = await callWithRetries(
    () => api.createPayment(body, options.signal),
    (error) => describeFailure(error, { ...options.context, productIds }),
    { ...options, readOnly: false },
  );
  if (!attempted.ok) return { kind: attempted.failure.kind, failure: attempted.failure, attempts: attempted.attempts };
  if (!isPaymentObject(attempted.value)) {
    return { kind: 'unknown_outcome', failure: describeUnreadablePayment(), attempts: attempted.attempts };
  }
  return { kind: 'created', payment: attempted.value, attempts: attempted.attempts };
}
