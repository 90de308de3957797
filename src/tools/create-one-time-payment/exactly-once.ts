import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import { classifyFailure } from '../../dodo/failure-classification.js';
import { findPaymentByReference, RECONCILE_KEY_NAME } from '../../dodo/payment-reconciliation.js';
import { sendPayment } from '../../dodo/payment-sender.js';
import type { PriorRun, Settlement } from '../../idempotency/idempotency-store.js';
import type { ToolContext } from '../tool.js';
import type { PaymentOutcome } from './payment-outcome.js';

type RunContext = Pick<ToolContext, 'api' | 'config' | 'logger' | 'now' | 'sleep'> & { signal: AbortSignal };

/**
 * What a settled payment outcome means for its key. With reconciliation on, an unknown outcome is resolved
 * by the next call under the key (look for the payment, then send at most once); with it off, a caller's key
 * replays it, so nothing is ever re-sent blindly. A key the server made up (`callerGaveKey` false) is only
 * handed out with an unknown outcome to resolve, so nothing else under it is kept.
 */
export function paymentSettlement(reconcile: boolean, callerGaveKey: boolean) {
  return (outcome: PaymentOutcome): Settlement => {
    switch (outcome.kind) {
      case 'created':
        return callerGaveKey ? 'replay' : 'forget';
      case 'unknown_outcome':
        return reconcile ? 'resolve' : callerGaveKey ? 'replay' : 'forget';
      default:
        return 'forget';
    }
  };
}

/** The caller's metadata with our reference added (the schema refuses the reserved key from callers). */
function withReference(body: PaymentCreateParams, reference: string): PaymentCreateParams {
  return { ...body, metadata: { ...body.metadata, [RECONCILE_KEY_NAME]: reference } };
}

/**
 * One run under a reference: if an earlier run's outcome is unresolved, look for its payment first (found:
 * no POST); then send once, and if the answer is lost, look for the payment for DODO_PAYMENTS_RECONCILE_MS.
 * Every POST's outcome is logged here, whoever is still waiting for it.
 */
export async function createPaymentOnce(
  body: PaymentCreateParams,
  reference: string,
  prior: PriorRun<PaymentOutcome> | undefined,
  context: RunContext,
): Promise<PaymentOutcome> {
  const { api, config, logger, now, sleep, signal } = context;
  const search = (attemptStartedAt: number, pollForMs: number) =>
    findPaymentByReference({
      api: api(),
      reference,
      attemptStartedAt,
      ...('customer_id' in body.customer && { customerId: body.customer.customer_id }),
      pollForMs,
      requestTimeoutMs: config.timeoutMs,
      now,
      sleep,
      signal,
      logger,
    });

  let attemptStartedAt = now();
  if (prior) {
    const earlier = prior.kind === 'abandoned' ? undefined : prior.outcome;
    attemptStartedAt =
      earlier?.kind === 'unknown_outcome' ? earlier.attemptStartedAt : prior.kind === 'abandoned' ? prior.startedAt : attemptStartedAt;
    // A run that already searched for its full window needs one more look; one that never searched gets the window.
    const found = await search(attemptStartedAt, earlier?.kind === 'unknown_outcome' && earlier.search ? 0 : config.reconcileMs);
    if (found.found) {
      const failure = earlier?.kind === 'unknown_outcome' ? earlier.failure : undefined;
      return logged({ kind: 'created', payment: found.payment, attempts: 0, recovered: failure ? { failure } : {} }, reference, context);
    }
    // Cancelled while looking: the earlier run stays unresolved, never freed by a send that did not happen.
    if (signal.aborted) {
      return earlier?.kind === 'unknown_outcome'
        ? earlier
        : { kind: 'unknown_outcome', failure: classifyFailure({ type: 'cancelled' }), attempts: 0, attemptStartedAt };
    }
  }

  const sent = await sendPayment(api(), withReference(body, reference), { signal, sleep, logger });
  if (sent.kind === 'created') return logged(sent, reference, context);
  if (sent.kind !== 'unknown_outcome') return logged({ ...sent, kind: sent.kind }, reference, context);
  if (config.reconcileMs === 0 || signal.aborted) return logged({ ...sent, attemptStartedAt }, reference, context);
  const found = await search(attemptStartedAt, config.reconcileMs);
  const outcome: PaymentOutcome = found.found
    ? { kind: 'created', payment: found.payment, attempts: sent.attempts, recovered: { failure: sent.failure } }
    : { ...sent, attemptStartedAt, search: found.search };
  return logged(outcome, reference, context);
}

function logged(outcome: PaymentOutcome, reference: string, { logger }: RunContext): PaymentOutcome {
  if (outcome.attempts === 0 && outcome.kind !== 'created') return outcome;
  logger.info('payment_attempt', {
    outcome: outcome.kind === 'created' || outcome.kind === 'not_confirmed' ? outcome.kind : `${outcome.kind}: ${outcome.failure.label}`,
    reference,
    attempts: outcome.attempts,
    ...(outcome.kind === 'created' && { payment_id: outcome.payment.payment_id, recovered: outcome.recovered !== undefined }),
  });
  return outcome;
}
