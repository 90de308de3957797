import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Payment } from 'dodopayments/resources/payments';
import { getPaymentInputSchema } from './read-tool-schemas.js';
import type { JsonSchema } from './json-schema.js';
import { argumentsForRead, errorResult, readFromApi, readOnlyToolDefinition, structuredResult, toolCallLog, withoutNulls, type ToolDependencies } from './tool-runtime.js';

export const GET_PAYMENT_TOOL_NAME = 'get_payment';

// --- Schema ---------------------------------------------------------------------------------

const outputSchema: JsonSchema = {
  type: 'object',
  properties: {
    payment_id: { type: 'string' },
    status: { type: 'string' },
    total_amount: { type: 'integer' },
    environment: { type: 'string' },
  },
  required: ['payment_id', 'total_amount', 'environment'],
};

// --- Description ----------------------------------------------------------------------------

export const getPaymentToolDefinition = readOnlyToolDefinition(
  GET_PAYMENT_TOOL_NAME,
  'Get payment',
  "Has the customer paid? A payment's status (succeeded = paid; requires_payment_method or absent = not yet; failed, processing, cancelled, …), amount, currency, customer_id, created_at, payment_link.",
  outputSchema,
);

// --- Handler --------------------------------------------------------------------------------

export async function handleGetPayment(args: unknown, signal: AbortSignal, dependencies: ToolDependencies): Promise<CallToolResult> {
  const { config } = dependencies;
  const finish = toolCallLog(GET_PAYMENT_TOOL_NAME, dependencies);
  const checked = argumentsForRead(getPaymentInputSchema, args, config, finish);
  if (!checked.ok) return checked.result;

  const { payment_id: paymentId } = checked.value;
  const read = await readFromApi(dependencies, signal, `payment ${paymentId}`, (api) => api.retrievePayment(paymentId, signal));
  if (!read.ok) return finish(`${read.failure.kind}: ${read.failure.label}`, errorResult(read.failure.message));
  return finish('read', structuredResult(summarizePayment(read.value, config.environment)), { payment_id: paymentId });
}

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
