import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import {
  canonicalJson,
  IdempotencyRecordUnreadable,
  type IdempotencyStore,
  IdempotencyStoreUnavailable,
  IdempotentRunStillInFlight,
  KEY_RETENTION_MS,
  type PriorRun,
} from '../idempotency/idempotency-store.js';
import { createPaymentOnce, paymentSettlement, type RunContext } from './exactly-once.js';
import { type ConfirmationAnswer, isPaymentOutcome, type PaymentOutcome } from './outcome.js';
import { type GuardedCall, type GuardedRun, SpendRefusal } from './policy/spend-policy.js';
import { generatedIdempotencyKey, type PaymentReference, paymentReference, referenceValue } from './reference.js';

export interface PaymentCallContext extends Omit<RunContext, 'hold' | 'callerGaveKey'> {
  idempotency: IdempotencyStore<PaymentOutcome>;
  /** Wraps the run itself, so shutdown can wait for its POST and the log line of its outcome. */
  track: <T>(run: Promise<T>) => Promise<T>;
  /** Asks the user before a first run sends anything (live mode); absent when nobody is asked. */
  confirm?: (signal: AbortSignal) => Promise<ConfirmationAnswer>;
  /** Holds each run to the operator's spend limits (see policy/spend-policy.ts); absent: no limits. */
  guard?: (call: Omit<GuardedCall, 'credential'>, run: GuardedRun) => GuardedRun;
}

/** How a call ended, for the words the agent reads. */
type PaymentCall =
  /** The key's outcome: this call's run, or an earlier or concurrent one's (`replayed`). */
  | { kind: 'settled'; outcome: PaymentOutcome; replayed: boolean }
  /** Nothing was run: the store is unreachable, its record unreadable, the key held elsewhere or used for other arguments. */
  | { kind: 'store_unavailable' | 'record_unreadable' | 'key_busy' | 'conflict' }
  /** The operator's spend policy refused it; nothing was sent. */
  | { kind: 'refused_by_policy'; refusal: SpendRefusal }
  /** This caller cancelled before the outcome was known; the run goes on for the key. */
  | { kind: 'left' };

export interface PaymentCallResult {
  call: PaymentCall;
  /** The key the outcome is kept under: the caller's, or one made up for this call. */
  idempotencyKey: string;
  callerGaveKey: boolean;
  reference: PaymentReference;
}

/**
 * create_one_time_payment after its arguments were checked: one run per idempotency key across every caller and
 * instance sharing the store, the user asked (live mode) only before a key's first run, exactly once.
 */
export async function callCreatePayment(
  body: PaymentCreateParams,
  callerKey: string | undefined,
  context: PaymentCallContext,
): Promise<PaymentCallResult> {
  // A call without a key gets one, so that an unknown outcome can be looked for and retried under it.
  const idempotencyKey = callerKey ?? generatedIdempotencyKey();
  const callerGaveKey = callerKey !== undefined;
  const fingerprint = canonicalJson(body);
  const reference = paymentReference(idempotencyKey, fingerprint);
  const unguarded = (hold: RunContext['hold']) => async (prior: PriorRun<PaymentOutcome> | undefined, signal: AbortSignal) => {
    // A replay or a run resolving an earlier outcome does not ask again: the user already confirmed it.
    if (context.confirm && (prior === undefined || prior.kind === 'unrecorded')) {
      const answer = await context.confirm(signal);
      if (answer !== 'confirmed') return { kind: 'not_confirmed', answer, attempts: 0 } as const;
    }
    return createPaymentOnce(body, reference, prior, { ...context, signal, hold, callerGaveKey });
  };
  const { guard } = context;
  const spendCall = { body, reference: referenceValue(reference), api: context.api, sleep: context.sleep, logger: context.logger };
  const run = (prior: PriorRun<PaymentOutcome> | undefined, signal: AbortSignal, hold: RunContext['hold']) =>
    (guard ? guard(spendCall, unguarded(hold)) : unguarded(hold))(validPrior(prior, context.now()), signal);
  const settle = paymentSettlement(context.config.reconcileMs > 0, callerGaveKey);
  const result = { idempotencyKey, callerGaveKey, reference };
  try {
    const stored = await context.idempotency.run(
      idempotencyKey,
      fingerprint,
      (prior, signal, hold) => context.track(run(prior, signal, hold)),
      settle,
      context.signal,
    );
    if (stored.kind === 'ran' || stored.kind === 'replayed') {
      // A replayed value comes from a store, which may hold anything: what this version cannot read is not repeated.
      if (stored.kind === 'replayed' && !isPaymentOutcome(stored.value)) return { ...result, call: { kind: 'record_unreadable' } };
      return { ...result, call: { kind: 'settled', outcome: stored.value, replayed: stored.kind === 'replayed' } };
    }
    return { ...result, call: { kind: stored.kind } };
  } catch (error) {
    if (error instanceof IdempotencyStoreUnavailable) return { ...result, call: { kind: 'store_unavailable' } };
    if (error instanceof IdempotencyRecordUnreadable) return { ...result, call: { kind: 'record_unreadable' } };
    if (error instanceof IdempotentRunStillInFlight) return { ...result, call: { kind: 'key_busy' } };
    if (error instanceof SpendRefusal) return { ...result, call: { kind: 'refused_by_policy', refusal: error } };
    throw error;
  }
}

/** An unresolved outcome read back from a store that this version cannot read is treated as an interrupted run of the last day. */
function validPrior(prior: PriorRun<PaymentOutcome> | undefined, now: number): PriorRun<PaymentOutcome> | undefined {
  if (prior?.kind !== 'unresolved' || isPaymentOutcome(prior.outcome)) return prior;
  return { kind: 'abandoned', startedAt: now - KEY_RETENTION_MS, quietAt: now };
}
