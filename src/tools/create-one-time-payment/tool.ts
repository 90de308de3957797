import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import { ENVIRONMENTS, type Environment } from '../../config/config-values.js';
import { describePaymentFailure, describeRecoveredPayment, describeUnfoundPayment } from '../../dodo/failure-messages.js';
import { generatedIdempotencyKey, paymentReference } from '../../dodo/payment-reconciliation.js';
import { canonicalJson, IdempotencyStoreUnavailable, IdempotentRunStillInFlight } from '../../idempotency/idempotency-store.js';
import { SpendRefusal } from '../../payments/policy/spend-policy.js';
import { validateArguments } from '../../schema/argument-validation.js';
import { errorResult, MISSING_KEY_RESULT, structuredResult, type ToolContext, type ToolModule, toolCallLog } from '../tool.js';
import { createPaymentOnce, paymentSettlement } from './exactly-once.js';
import { describeGuardrails, type Guardrails, guardrailViolations } from './guardrails.js';
import { paymentInputSchema } from './input-schema.js';
import { describeLivePayment, lookUpProducts, notConfirmedMessage } from './live-confirmation.js';
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

async function createPayment(args: unknown, context: ToolContext): Promise<CallToolResult> {
  const { config, api, idempotency, confirmer, signal } = context;
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

  const { idempotency_key: callerKey, ...body } = validation.value;
  // A call without a key gets one, so that an unknown outcome can be looked for and retried under it.
  const idempotencyKey = callerKey ?? generatedIdempotencyKey();
  const reference = paymentReference(idempotencyKey);
  if (!context.payments.accepting) {
    return finish('shutting_down', errorResult('The server is shutting down; nothing was sent. Call again once it is back.'));
  }
  const mustConfirm = config.environment === 'live_mode' && config.confirm === 'auto' && confirmer.available();
  // Inside the idempotent run, so a replay is neither refused nor counted again (spend policy: src/payments/policy/).
  const run = context.spend.guard({ ...context, body, reference }, async (prior, runSignal) => {
    // A replay or a run resolving an earlier unknown outcome does not ask again: the user already confirmed it.
    if (mustConfirm && !prior) {
      const products = await lookUpProducts(api(), productIdsOf(body), runSignal);
      const answer = await confirmer.ask(describeLivePayment(body, products), runSignal);
      if (answer !== 'confirmed') return { kind: 'not_confirmed', answer, attempts: 0 };
    }
    return createPaymentOnce(body, reference, prior, { ...context, signal: runSignal });
  });
  // Shutdown waits for the run itself (its POST and the log line of its outcome), not for the callers waiting on it.
  const trackedRun: typeof run = (prior, runSignal) => context.payments.track(run(prior, runSignal));

  const stored = await idempotency
    .run(
      idempotencyKey,
      canonicalJson(body),
      trackedRun,
      paymentSettlement(config.reconcileMs > 0, callerKey !== undefined),
      AbortSignal.any([signal, context.payments.signal]),
    )
    .catch((error: unknown) => {
      if (error instanceof IdempotencyStoreUnavailable || error instanceof IdempotentRunStillInFlight || error instanceof SpendRefusal)
        return error;
      throw error;
    });
  if (stored instanceof SpendRefusal) return finish(stored.outcome, errorResult(stored.message), { rule: stored.rule, reference });
  if (stored instanceof IdempotencyStoreUnavailable) {
    return finish(
      'idempotency_store_unavailable',
      errorResult(
        `The idempotency store (Redis) is unreachable; nothing was sent. Retry later${callerKey === undefined ? '' : ' with the same idempotency_key and arguments'}.`,
      ),
    );
  }
  if (stored instanceof IdempotentRunStillInFlight) {
    return finish(
      'idempotency_key_busy',
      errorResult(
        `Another call with idempotency_key ${JSON.stringify(idempotencyKey)} is still in progress on another server instance; ` +
          'this call sent nothing. Call again later with the same key and arguments to get its outcome.',
      ),
      { reference },
    );
  }
  if (stored.kind === 'conflict') {
    return finish(
      'idempotency_conflict',
      errorResult(
        `idempotency_key: ${JSON.stringify(idempotencyKey)} was already used for a different payment on this server. ` +
          'Use a fresh key for a new payment, or repeat the original arguments to get the original result. Nothing was sent.',
      ),
    );
  }
  if (stored.kind === 'left') {
    return finish(
      'cancelled',
      errorResult(
        `The call was cancelled. Any payment request already sent is recorded under idempotency_key ${JSON.stringify(idempotencyKey)}: ` +
          'call again with it and the same arguments to learn the outcome without creating a second payment.',
      ),
      { reference },
    );
  }

  const { value: outcome } = stored;
  const replayed = stored.kind === 'replayed';
  const logFields = { attempts: replayed ? 0 : outcome.attempts, replayed, reference };
  const apiContext = { baseUrl: config.baseUrl, environment: config.environment };
  switch (outcome.kind) {
    case 'created': {
      const result = structuredResult(createdPaymentResult(outcome.payment, config.environment));
      if (outcome.recovered) {
        const cause = outcome.recovered.failure
          ? describeRecoveredPayment(outcome.recovered.failure, outcome.payment.payment_id, apiContext)
          : `Recovered: an earlier attempt under this idempotency_key created ${outcome.payment.payment_id}; this is that payment, not a new one.`;
        result.content.unshift({ type: 'text', text: cause });
      }
      return finish('created', result, {
        ...logFields,
        payment_id: outcome.payment.payment_id,
        recovered: outcome.recovered !== undefined,
      });
    }
    case 'not_confirmed':
      return finish(`not_confirmed: ${outcome.answer}`, errorResult(notConfirmedMessage(outcome.answer, confirmer.timeoutMs)), logFields);
    case 'unknown_outcome': {
      if (outcome.search) {
        const retryKey = { key: idempotencyKey, callerGave: callerKey !== undefined };
        return finish(
          `unknown_outcome: ${outcome.failure.label}`,
          errorResult(describeUnfoundPayment(outcome.failure, outcome.search, retryKey, apiContext)),
          logFields,
        );
      }
      const keyNote =
        config.reconcileMs > 0
          ? ` Calling again with idempotency_key ${JSON.stringify(idempotencyKey)} and the same arguments looks for this payment first and sends a new request only if none exists.`
          : callerKey !== undefined
            ? ' This idempotency_key stays tied to that attempt: calling again with it returns this message. Once you know no payment was created, retry with a new key.'
            : '';
      return finish(
        `unknown_outcome: ${outcome.failure.label}`,
        errorResult(describePaymentFailure(outcome.failure, { ...apiContext, productIds: productIdsOf(body) }) + keyNote),
        logFields,
      );
    }
    default:
      return finish(
        `${outcome.kind}: ${outcome.failure.label}`,
        errorResult(describePaymentFailure(outcome.failure, { ...apiContext, productIds: productIdsOf(body) })),
        logFields,
      );
  }
}

const productIdsOf = (body: { product_cart: readonly { product_id: string }[] }) => body.product_cart.map((item) => item.product_id);
