import type { Payment } from 'dodopayments/resources/payments';
import { z } from 'zod';
import {
  argumentsForRead,
  READ_ONLY_ANNOTATIONS,
  readFromApi,
  structuredResult,
  type ToolModule,
  toolCallLog,
  withoutNulls,
} from './tool.js';

const inputSchema = z.strictObject({
  payment_id: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be a Dodo payment id such as pay_2IjeQm4hqU6RA4Z4kwDee' })
    .describe('Payment id (pay_…).'),
});

const outputSchema = z.looseObject({
  payment_id: z.string(),
  total_amount: z.int(),
  environment: z.string(),
});

export const getPaymentTool: ToolModule = {
  name: 'get_payment',
  title: 'Get payment',
  describe: () =>
    'Has the customer paid? status succeeded = paid; requires_payment_method or absent = not yet; or failed, processing, cancelled…',
  annotations: READ_ONLY_ANNOTATIONS,
  inputSchema,
  outputSchema,
  async handle(args, context) {
    const { config, signal } = context;
    const finish = toolCallLog(getPaymentTool.name, context);
    const checked = argumentsForRead(inputSchema, args, config, finish);
    if (!checked.ok) return checked.result;

    const { payment_id: paymentId } = checked.value;
    const read = await readFromApi(context, `payment ${paymentId}`, finish, (api) => api.retrievePayment(paymentId, signal));
    if (!read.ok) return read.result;
    return finish('read', structuredResult(summarizePayment(read.value, config.environment)), { payment_id: paymentId });
  },
};

/** The answer to "has the customer paid?", without card details or the customer's personal data. */
function summarizePayment(payment: Payment, environment: string): Record<string, unknown> {
  return withoutNulls({
    payment_id: payment.payment_id,
    status: payment.status ?? null,
    total_amount: payment.total_amount,
    currency: payment.currency,
    customer_id: payment.customer?.customer_id ?? null,
    created_at: payment.created_at,
    updated_at: payment.updated_at ?? null,
    payment_link: payment.payment_link ?? null,
    product_cart: payment.product_cart ?? null,
    refund_status: payment.refund_status ?? null,
    error_code: payment.error_code ?? null,
    error_message: payment.error_message ?? null,
    environment,
  });
}
