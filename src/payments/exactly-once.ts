import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import type { Config } from '../config/config.js';
import type { DodoApi } from '../dodo/api-client.js';
import { type ApiFailure, classifyFailure } from '../dodo/failure-classification.js';
import type { Clock } from '../dodo/retry-policy.js';
import type { KeyHold, PriorRun, Settlement } from '../idempotency/idempotency-store.js';
import type { Logger } from '../logging/logger.js';
import type { PaymentOutcome } from './outcome.js';
import { findPaymentByReference, type ReferenceSearchResult } from './reconcile.js';
import { type PaymentReference, RECONCILE_KEY_NAME, referenceValue } from './reference.js';
import { sendPayment } from './send.js';

/**
 * How long past the client's own timeout an attempt may run before it is aborted here: the lease covers the
 * attempt plus this, so a request this process abandoned has ended before another instance can take the key.
 */
const ATTEMPT_MARGIN_MS = 1_000;

export interface RunContext extends Clock {
  api: () => DodoApi;
  config: Pick<Config, 'timeoutMs' | 'reconcileMs'>;
  logger: Logger;
  signal: AbortSignal;
  hold: KeyHold;
  /** Whether the caller chose the key (a key this server generated was never used before). */
  callerGaveKey: boolean;
}

/** The longest one POST attempt may take (and so the longest hold a run asks for). */
export const attemptTimeoutMs = (config: Pick<Config, 'timeoutMs'>) => config.timeoutMs + ATTEMPT_MARGIN_MS;

/**
 * The key policy, written once: what a run's outcome means for its key.
 * - created: replayed to the caller's later calls (a key the server made up is never called again, so forgotten);
 * - unknown: with reconciliation on, resolved by the next call under the key (look for the payment, then send at
 *   most once); with it off, a caller's key replays it, so nothing is ever re-sent blindly;
 * - anything that sent nothing (a definite rejection, not sent, declined, the key used for other arguments, a check
 *   that could not finish): the key is free. A run that followed an unresolved or interrupted one and could not
 *   finish its look returns that earlier outcome (see `createPaymentOnce`), so the key stays to be resolved.
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

/** What a run must look for before sending, given what the store knows of the key; undefined: nothing. */
function lookFirst(prior: PriorRun<PaymentOutcome> | undefined, context: RunContext) {
  const { now, config } = context;
  // Until every request an earlier holder may have in flight has ended and then had time to become visible in the list.
  const pollUntilVisible = (quietAt: number) => Math.max(0, quietAt + config.reconcileMs - now());
  switch (prior?.kind) {
    case 'unresolved': {
      const earlier = prior.outcome;
      if (earlier.kind !== 'unknown_outcome') return undefined;
      // A run that already searched for its full window needs one more look, one that never searched gets the window,
      // and either waits until its last request, if Dodo still commits it, would be visible.
      const pollForMs = Math.max(earlier.search ? 0 : config.reconcileMs, pollUntilVisible(earlier.quietAt));
      return { since: earlier.attemptStartedAt, pollForMs, unresolved: earlier };
    }
    case 'abandoned': {
      const interrupted = interruptedOutcome(prior.startedAt, prior.quietAt);
      return { since: prior.startedAt, pollForMs: Math.max(pollUntilVisible(prior.quietAt), config.reconcileMs), unresolved: interrupted };
    }
    case 'unrecorded':
      // A key this server made up cannot have been used before.
      return context.callerGaveKey ? { since: prior.since, pollForMs: pollUntilVisible(prior.quietAt), unresolved: undefined } : undefined;
    default:
      return undefined;
  }
}

const interruptedOutcome = (startedAt: number, quietAt: number): Extract<PaymentOutcome, { kind: 'unknown_outcome' }> => ({
  kind: 'unknown_outcome',
  failure: classifyFailure({ type: 'interrupted' }),
  attempts: 0,
  attemptStartedAt: startedAt,
  quietAt,
});

/**
 * One run under a key: if the key may have been used before (an unresolved or interrupted run, or records the store
 * may have lost), look for its payment first: this request's → that payment, nothing sent; another request's → the
 * key was reused, nothing sent; the look could not finish → nothing sent and the key stays as it was. Then send once
 * (fenced by the key's hold), and if the answer is lost, look for the payment for DODO_PAYMENTS_RECONCILE_MS.
 * Every POST's outcome is logged here, whoever is still waiting for it.
 */
export async function createPaymentOnce(
  body: PaymentCreateParams,
  reference: PaymentReference,
  prior: PriorRun<PaymentOutcome> | undefined,
  context: RunContext,
): Promise<PaymentOutcome> {
  const { api, config, logger, now, sleep, timeout, signal } = context;
  const search = (attemptStartedAt: number, pollForMs: number, byCustomer: boolean) =>
    findPaymentByReference({
      api: api(),
      reference,
      body,
      byCustomer,
      attemptStartedAt,
      pollForMs,
      requestTimeoutMs: config.timeoutMs,
      now,
      sleep,
      timeout,
      signal,
      logger,
    });

  let attemptStartedAt = now();
  const look = lookFirst(prior, context);
  if (look) {
    const found = await search(look.since, look.pollForMs, false);
    if (found.found) return logged(foundOutcome(found, 0, look.unresolved?.failure), reference, context);
    // The look could not tell (cancelled, failed, cut short): nothing is sent, and what was unresolved stays so.
    if (found.search.lastFailure !== undefined || signal.aborted) {
      return look.unresolved ?? { kind: 'unchecked', search: found.search, attempts: 0 };
    }
    if (look.unresolved) attemptStartedAt = look.unresolved.attemptStartedAt;
  }

  const sent = await sendPayment(api(), withReference(body, reference), {
    signal,
    sleep,
    logger,
    timeout,
    now,
    attemptTimeoutMs: attemptTimeoutMs(config),
    holdKeyFor: (ms) => context.hold.holdFor(ms),
  });
  if (sent.kind === 'created') return logged(sent, reference, context);
  if (sent.kind !== 'unknown_outcome') return logged({ ...sent, kind: sent.kind }, reference, context);
  const { lastAttemptAt, ...failed } = sent;
  const unknown = { ...failed, attemptStartedAt, quietAt: lastAttemptAt + attemptTimeoutMs(config) };
  if (config.reconcileMs === 0 || signal.aborted) return logged(unknown, reference, context);
  const found = await search(attemptStartedAt, config.reconcileMs, true);
  // Another request's payment under this key, found after ours was sent: ours may exist too, so it stays unknown.
  const outcome: PaymentOutcome =
    found.found === 'same_request'
      ? foundOutcome(found, sent.attempts, sent.failure)
      : { ...unknown, ...(!found.found && { search: found.search }) };
  return logged(outcome, reference, context);
}

function foundOutcome(
  found: Exclude<ReferenceSearchResult, { found: false }>,
  attempts: number,
  failure: ApiFailure | undefined,
): PaymentOutcome {
  if (found.found === 'other_request') return { kind: 'key_reused', paymentId: found.paymentId, attempts: 0 };
  return { kind: 'created', payment: found.payment, attempts, recovered: failure ? { failure } : {} };
}

/** The caller's metadata with our reference added (the schema refuses the reserved key from callers). */
function withReference(body: PaymentCreateParams, reference: PaymentReference): PaymentCreateParams {
  return { ...body, metadata: { ...body.metadata, [RECONCILE_KEY_NAME]: referenceValue(reference) } };
}

function logged(outcome: PaymentOutcome, reference: PaymentReference, { logger }: RunContext): PaymentOutcome {
  if (outcome.attempts === 0 && outcome.kind !== 'created' && outcome.kind !== 'key_reused') return outcome;
  logger.info('payment_attempt', {
    outcome: 'failure' in outcome ? `${outcome.kind}: ${outcome.failure.label}` : outcome.kind,
    reference: referenceValue(reference),
    attempts: outcome.attempts,
    ...(outcome.kind === 'created' && { payment_id: outcome.payment.payment_id, recovered: outcome.recovered !== undefined }),
    ...(outcome.kind === 'key_reused' && { payment_id: outcome.paymentId }),
  });
  return outcome;
}
