import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import { ENVIRONMENTS, type Environment } from '../../config/config-values.js';
import { describePaymentFailure } from '../../dodo/failure-messages.js';
import { sendPayment } from '../../dodo/payment-sender.js';
import { canonicalJson } from '../../idempotency/idempotency-store.js';
import { validateArguments } from '../../schema/argument-validation.js';
import { errorResult, MISSING_KEY_RESULT, structuredResult, type ToolContext, type ToolModule, toolCallLog } from '../tool.js';
import { describeGuardrails, type Guardrails, guardrailViolations } from './guardrails.js';
import { paymentInputSchema } from './input-schema.js';
import { describeLivePayment, lookUpProducts, notConfirmedMessage } from './live-confirmation.js';
import type { PaymentOutcome } from './payment-outcome.js';
import { createdPaymentResult } from './payment-result.js';

/**
 * What every created payment's result has; open to the rest (total_amount and payment_link when the API gave them
 * in the expected types, expires_on, fields Dodo adds later). Fields the API returns as null are left out.
 */
const outputSchema = z.looseObject({
  payment_id: z.string(),
  environment: z.enum(ENVIRONMENTS),
});

const ENVIRONMENT_NOTES: Record<Environment, string> = {
  test_mode: 'TEST MODE (test_mode): no real money moves; use test-mode ids.',
  live_mode: 'LIVE MODE (live_mode): real customers are charged real money.',
};

function describeCreatePaymentTool(environment: Environment, guardrails: Guardrails): string {
  return [
    'Create a Dodo Payments one-time payment for product_cart; send the customer its payment_link (checkout URL).',
    "Amounts are integers in the currency's smallest unit (1999 = 19.99 USD).",
    'customer: exactly one of customer_id or email.',
    'To retry, repeat the idempotency_key; if an outcome is unknown, check first.',
    ...describeGuardrails(guardrails),
    ENVIRONMENT_NOTES[environment],
  ].join('\n');
}

export const createOneTimePaymentTool: ToolModule = {
  name: 'create_one_time_payment',
  title: 'Create one-time payment',
  describe: (config: Config) => describeCreatePaymentTool(config.environment, config),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  inputSchema: paymentInputSchema,
  outputSchema,
  handle: createPayment,
};

async function createPayment(args: unknown, context: ToolContext): Promise<CallToolResult> {
  const { config, api, logger, idempotency, confirmer, sleep, signal } = context;
  const finish = toolCallLog(createOneTimePaymentTool.name, context);

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
  const mustConfirm = config.environment === 'live_mode' && config.confirm === 'auto' && confirmer.available();
  const send = async (): Promise<PaymentOutcome> => {
    if (mustConfirm) {
      const summary = describeLivePayment(
        body,
        await lookUpProducts(
          api(),
          body.product_cart.map((item) => item.product_id),
          signal,
        ),
      );
      const answer = await confirmer.ask(summary, signal);
      if (answer !== 'confirmed') return { kind: 'not_confirmed', answer, attempts: 0 };
    }
    return sendPayment(api(), body, { signal, sleep, logger });
  };

  let outcome: PaymentOutcome;
  let replayed = false;
  if (idempotencyKey === undefined) {
    outcome = await send();
  } else {
    // Unknown outcomes stay tied to their key too: re-sending under it could charge twice.
    const run = await idempotency.run(
      idempotencyKey,
      canonicalJson(body),
      send,
      (done) => done.kind === 'created' || done.kind === 'unknown_outcome',
    );
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
  switch (outcome.kind) {
    case 'created':
      return finish('created', structuredResult(createdPaymentResult(outcome.payment, config.environment)), {
        ...logFields,
        payment_id: outcome.payment.payment_id,
      });
    case 'not_confirmed':
      return finish(`not_confirmed: ${outcome.answer}`, errorResult(notConfirmedMessage(outcome.answer, confirmer.timeoutMs)), logFields);
    default: {
      const apiContext = {
        baseUrl: config.baseUrl,
        environment: config.environment,
        productIds: body.product_cart.map((item) => item.product_id),
      };
      const keyNote =
        idempotencyKey !== undefined && outcome.kind === 'unknown_outcome'
          ? ' This idempotency_key stays tied to that attempt: calling again with it returns this message. Once you know no payment was created, retry with a new key.'
          : '';
      return finish(
        `${outcome.kind}: ${outcome.failure.label}`,
        errorResult(describePaymentFailure(outcome.failure, apiContext) + keyNote),
        logFields,
      );
    }
  }
}
