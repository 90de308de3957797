import { z } from 'zod';
import { onFirstUse } from '../on-first-use.js';
import { checkApiAnswer } from './api-answer.js';
import {
  argumentsForRead,
  READ_ONLY_ANNOTATIONS,
  readFromApi,
  structuredResult,
  type ToolModule,
  toolCallLog,
  truncate,
  withoutNulls,
} from './tool.js';

const inputSchema = onFirstUse(() =>
  z.strictObject({
    payment_id: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be a Dodo payment id such as pay_2IjeQm4hqU6RA4Z4kwDee' })
      .describe('Payment id (pay_…).'),
  }),
);

const outputSchema = () => z.looseObject({ payment_id: z.string(), total_amount: z.int(), environment: z.string() });

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
    const checked = argumentsForRead(inputSchema(), args, config, finish);
    if (!checked.ok) return checked.result;

    const { payment_id: paymentId } = checked.value;
    const subject = `payment ${paymentId}`;
    const read = await readFromApi(context, subject, finish, (api) => api.retrievePayment(paymentId, signal));
    if (!read.ok) return read.result;
    const payment = checkApiAnswer(paymentAnswer(), read.value, subject, finish);
    if (!payment.ok) return payment.result;
    return finish('read', structuredResult(summarizePayment(payment.value, config.environment)), { payment_id: paymentId });
  },
};

// Bounds for what an API answer may put in a result: identifiers and codes are short in Dodo's API;
// free text is cut, a longer identifier means the answer is not Dodo's.
const ID_LENGTH = 255;
const MESSAGE_LENGTH = 500;
const MAX_CART_ITEMS = 100;
const shortText = (length = 64) => z.string().max(length).nullish();

/** The fields of Dodo's `Payment` this tool shows, checked; anything else in the answer is ignored. */
const paymentAnswer = onFirstUse(() =>
  z.looseObject({
    payment_id: z.string().min(1).max(ID_LENGTH),
    status: shortText(),
    total_amount: z.int(),
    currency: shortText(),
    customer: z.looseObject({ customer_id: shortText(ID_LENGTH) }).nullish(),
    created_at: shortText(),
    updated_at: shortText(),
    payment_link: shortText(4096),
    product_cart: z
      .array(z.looseObject({ product_id: z.string().max(ID_LENGTH), quantity: z.int(), amount: z.int().nullish() }))
      .max(MAX_CART_ITEMS)
      .nullish(),
    refund_status: shortText(),
    error_code: shortText(ID_LENGTH),
    error_message: z.string().nullish(),
  }),
);

/** The answer to "has the customer paid?", without card details or the customer's personal data. */
function summarizePayment(payment: z.output<ReturnType<typeof paymentAnswer>>, environment: string): Record<string, unknown> {
  return withoutNulls({
    payment_id: payment.payment_id,
    status: payment.status ?? null,
    total_amount: payment.total_amount,
    currency: payment.currency ?? null,
    customer_id: payment.customer?.customer_id ?? null,
    created_at: payment.created_at ?? null,
    updated_at: payment.updated_at ?? null,
    payment_link: payment.payment_link ?? null,
    product_cart:
      payment.product_cart?.map(({ product_id, quantity, amount }) => withoutNulls({ product_id, quantity, amount: amount ?? null })) ??
      null,
    refund_status: payment.refund_status ?? null,
    error_code: payment.error_code ?? null,
    error_message: payment.error_message ? truncate(payment.error_message, MESSAGE_LENGTH) : null,
    environment,
  });
}
