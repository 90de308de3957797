import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Config, Environment } from './config.js';
import { paymentInputSchema } from './payment-schema.js';
import type { JsonSchema } from './json-schema.js';
import { advertisedInputSchemas } from './advertised-input-schema.js';
import { validateArguments } from './argument-validation.js';
import { guardrailViolations, describeGuardrails, type Guardrails } from './guardrails.js';
import { canonicalJson, type IdempotencyStore } from './idempotency-store.js';
import { sendPayment, type PaymentOutcome } from './payment-sender.js';
import { describeLivePayment, lookUpProducts, notConfirmedMessage, type LiveConfirmer } from './live-confirmation.js';
import { errorResult, MISSING_KEY_RESULT, structuredResult, toolCallLog, withoutNulls, type ToolDependencies } from './tool-runtime.js';

export const CREATE_PAYMENT_TOOL_NAME = 'create_one_time_payment';

// --- Schema ---------------------------------------------------------------------------------

/** Open to fields Dodo adds later; fields the API returns as null are left out of the result. */
const outputSchema: JsonSchema = {
  type: 'object',
  properties: {
    payment_id: { type: 'string', description: 'pay_…' },
    payment_link: { type: 'string', description: 'Checkout URL for the customer.' },
    total_amount: { type: 'integer', description: 'Smallest currency unit.' },
    environment: { type: 'string', enum: ['test_mode', 'live_mode'], description: 'Where it was created.' },
  },
  required: ['payment_id', 'total_amount', 'environment'],
};

// --- Description ----------------------------------------------------------------------------

const ENVIRONMENT_NOTES: Record<Environment, string> = {
  test_mode: 'TEST MODE (test_mode): no real money moves; use test-mode ids.',
  live_mode: 'LIVE MODE (live_mode): real customers are charged real money.',
};

export function describeCreatePaymentTool(environment: Environment, guardrails: Guardrails = {}): string {
  return [
    'Create a Dodo Payments one-time payment for product_cart and get a checkout link (payment_link) to send the customer.',
    "Amounts are integers in the currency's smallest unit (1999 = 19.99 USD; JPY has no subunit); prices come from the products.",
    'customer: exactly one of customer_id or email (a new customer, with optional name, phone_number).',
    'Every call creates a payment; to retry safely, repeat its idempotency_key. A failure says whether anything was created; if unknown, check before retrying.',
    ...describeGuardrails(guardrails),
    ENVIRONMENT_NOTES[environment],
  ].join('\n');
}

export function createPaymentToolDefinition(config: Pick<Config, 'environment'> & Guardrails): Tool {
  return {
    name: CREATE_PAYMENT_TOOL_NAME,
    title: 'Create one-time payment',
    description: describeCreatePaymentTool(config.environment, config),
    inputSchema: advertisedInputSchemas.create_one_time_payment as Tool['inputSchema'],
    outputSchema: outputSchema as Tool['outputSchema'],
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    },
  };
}

// --- Handler --------------------------------------------------------------------------------

export interface CreatePaymentDependencies extends ToolDependencies {
  idempotency: IdempotencyStore<PaymentOutcome>;
  confirmer: LiveConfirmer;
}

export async function handleCreatePayment(args: unknown, signal: AbortSignal, dependencies: CreatePaymentDependencies): Promise<CallToolResult> {
  const { config, api, logger, idempotency, confirmer, sleep } = dependencies;
  const finish = toolCallLog(CREATE_PAYMENT_TOOL_NAME, dependencies);

  const validation = validateArguments(paymentInputSchema, args);
  if (!validation.ok) {
    return finish('invalid_input', errorResult(`Invalid arguments; nothing was sent:\n${validation.problems.join('\n')}`));
  }
  const violations = guardrailViolations(validation.value, config);
  if (violations.length > 0) {
    return finish('refused_by_guardrail', errorResult(`Refused by this server's rules; nothing was sent:\n${violations.join('\n')}`));
  }
  if (config.apiKey === undefined) return finish('not_configured', MISSING_KEY_RESULT);

  const { idempotency_key: idempotencyKey, ...body } = validation.value;
  const context = { baseUrl: config.baseUrl, environment: config.environment };
  const mustConfirm = config.environment === 'live_mode' && config.confirm === 'auto' && confirmer.available();
  const send = async (): Promise<PaymentOutcome> => {
    if (mustConfirm) {
      const summary = describeLivePayment(body, await lookUpProducts(api(), body.product_cart.map((item) => item.product_id), signal));
      const answer = await confirmer.ask(summary, signal);
      if (answer !== 'confirmed') {
        return { kind: 'not_confirmed', failure: { kind: 'not_confirmed', label: answer, message: notConfirmedMessage(answer, confirmer.timeoutMs) }, attempts: 0 };
      }
    }
    return sendPayment(api(), body, { signal, sleep, logger, context });
  };

  let outcome: PaymentOutcome;
  let replayed = false;
  if (idempotencyKey === undefined) {
    outcome = await send();
  } else {
    // Unknown outcomes stay tied to their key too: re-sending under it could charge twice.
    const run = await idempotency.run(idempotencyKey, canonicalJson(body), send, (done) => done.kind === 'created' || done.kind === 'unknown_outcome');
    if (run.conflict) {
      return finish(
        'idempotency_conflict',
        errorResult(
          `idempotency_key: ${JSON.stringify(idempotencyKey)} was already used for a different payment on this server. ` +
            'Use a fresh key for a new payment, or repeat the original arguments to get the original result. Nothing was sent.',
        ),
      );
    }
    ({ value: outcome, replayed } = run);
  }

  const logFields = { attempts: replayed ? 0 : outcome.attempts, replayed };
  if (outcome.kind !== 'created') {
    const keyNote =
      idempotencyKey !== undefined && outcome.kind === 'unknown_outcome'
        ? ' This idempotency_key stays tied to that attempt: calling again with it returns this message. Once you know no payment was created, retry with a new key.'
        : '';
    return finish(`${outcome.kind}: ${outcome.failure.label}`, errorResult(outcome.failure.message + keyNote), logFields);
  }
  return finish('created', structuredResult({ ...withoutNulls(outcome.payment), environment: config.environment }), {
    ...logFields,
    payment_id: outcome.payment.payment_id,
  });
}
