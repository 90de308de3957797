import type { CallToolResult, InputRequiredResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import { ENVIRONMENTS, type Environment } from '../../config/config-values.js';
import { describePaymentCall } from '../../payments/outcome-wording.js';
import { callCreatePayment } from '../../payments/payment-call.js';
import { referenceValue } from '../../payments/reference.js';
import { validateArguments } from '../../schema/argument-validation.js';
import { errorResult, MISSING_KEY_RESULT, structuredResult, type ToolContext, type ToolModule, toolCallLog } from '../tool.js';
import { describeGuardrails, type Guardrails, guardrailViolations } from './guardrails.js';
import { paymentInputSchema } from './input-schema.js';
import { describeLivePayment, lookUpProducts } from './live-confirmation.js';
import { createdPaymentResult } from './payment-result.js';

/**
 * What every created payment's result has; open to the rest (total_amount and payment_link when the API gave them
 * in the expected types, expires_on, fields Dodo adds later). Fields the API returns as null are left out.
 */
const outputSchema = () => z.looseObject({ payment_id: z.string(), environment: z.enum(ENVIRONMENTS) });

const ENVIRONMENT_NOTES: Record<Environment, string> = {
  test_mode: 'TEST MODE (test_mode): no real money moves; use test-mode ids.',
  live_mode: 'LIVE MODE (live_mode): real customers are charged real money.',
};

function describeCreatePaymentTool(environment: Environment, guardrails: Guardrails, spendLimits: readonly string[]): string {
  return [
    'Create a one-time payment for product_cart; send the customer its payment_link (checkout URL).',
    "Amounts: integers in the currency's smallest unit (1999 = 19.99 USD).",
    'customer: exactly one of customer_id or email.',
    'To retry, repeat the idempotency_key.',
    ...describeGuardrails(guardrails),
    ...spendLimits,
    ENVIRONMENT_NOTES[environment],
  ].join('\n');
}

export const createOneTimePaymentTool: ToolModule = {
  name: 'create_one_time_payment',
  title: 'Create one-time payment',
  describe: (config: Config, spendLimits) => describeCreatePaymentTool(config.environment, config, spendLimits),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  inputSchema: paymentInputSchema,
  outputSchema,
  handle: createPayment,
};

async function createPayment(args: unknown, context: ToolContext): Promise<CallToolResult | InputRequiredResult> {
  const { config, api, confirmer } = context;
  const finish = toolCallLog(createOneTimePaymentTool.name, context);

  const validation = validateArguments(paymentInputSchema(), args);
  if (!validation.ok) {
    return finish('invalid_input', errorResult(`Invalid arguments; nothing was sent:\n${validation.problems.join('\n')}`));
  }
  const violations = guardrailViolations(validation.value, config);
  if (violations.length > 0) {
    return finish('refused_by_guardrail', errorResult(`Refused by this server's rules; nothing was sent:\n${violations.join('\n')}`));
  }
  if (config.apiKey === undefined) return finish('not_configured', MISSING_KEY_RESULT);
  if (!context.payments.accepting) {
    return finish('shutting_down', errorResult('The server is shutting down; nothing was sent. Call again once it is back.'));
  }

  const { idempotency_key: callerKey, ...body } = validation.value;
  const mustConfirm = config.environment === 'live_mode' && config.confirm === 'auto' && confirmer.available();
  // 2026-07-28: the question goes back to the client, and its retry brings the answer with signed state naming the key.
  const rounds = mustConfirm ? confirmer.rounds : undefined;
  const continued = rounds?.continuing(validation.value);
  if (continued === 'other_payment') {
    return finish(
      'not_confirmed: other_payment',
      errorResult('This confirmation was given for another payment (other arguments or another credential). Nothing was sent.'),
    );
  }
  const describe = async (signal: AbortSignal) => describeLivePayment(body, await lookUpProducts(api(), productIdsOf(body), signal));
  const result = await context.payments.whileAccepting(context.signal, (signal) =>
    callCreatePayment(body, continued?.idempotencyKey ?? callerKey, {
      ...context,
      // Inside the key's run, so a replay is neither refused nor counted again (spend policy: src/payments/policy/).
      guard: (call, run) => context.spend.guard({ ...call, credential: context.credential }, run),
      signal,
      track: (run) => context.payments.track(run),
      ...(mustConfirm && { confirm: (runSignal: AbortSignal) => confirmer.ask(describe, runSignal) }),
    }),
  );
  const question = await rounds?.question(result.idempotencyKey);
  if (question) return finish('confirmation_asked', question, { reference: referenceValue(result.reference) });

  const { call } = result;
  const words = describePaymentCall(result, {
    baseUrl: config.baseUrl,
    environment: config.environment,
    productIds: productIdsOf(body),
    reconcile: config.reconcileMs > 0,
    confirmationTimeoutMs: confirmer.timeoutMs,
  });
  const logFields = {
    reference: referenceValue(result.reference),
    ...(call.kind === 'settled' && { attempts: call.replayed ? 0 : call.outcome.attempts, replayed: call.replayed }),
    ...(call.kind === 'refused_by_policy' && { rule: call.refusal.rule }),
  };
  if ('error' in words) return finish(words.outcome, errorResult(words.error), logFields);
  const created = structuredResult(createdPaymentResult(words.payment, config.environment));
  if (words.note) created.content.unshift({ type: 'text', text: words.note });
  return finish('created', created, { ...logFields, payment_id: words.payment.payment_id, recovered: words.note !== undefined });
}

const productIdsOf = (body: { product_cart: readonly { product_id: string }[] }) => body.product_cart.map((item) => item.product_id);
