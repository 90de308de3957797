import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import type { Environment } from '../../config/config-values.js';
import type { DodoApi } from '../../dodo/api-client.js';
import { classifyFailure } from '../../dodo/failure-classification.js';
import type { Sleep } from '../../dodo/retry-policy.js';
import type { PriorRun } from '../../idempotency/idempotency-store.js';
import type { Logger } from '../../logging/logger.js';
import { formatAmount } from '../money.js';
import type { PaymentOutcome } from '../outcome.js';
import type { BudgetAnswer, BudgetStore } from './budget-store.js';
import { ProductPrices } from './expected-total.js';
import { describeLimits, type Limits, limitsAmounts, limitsBudget, limitsFor } from './limits.js';
import type { Policy } from './policy-file.js';

/** A payment run under its key (see payment-call.ts). */
export type GuardedRun = (prior: PriorRun<PaymentOutcome> | undefined, signal: AbortSignal) => Promise<PaymentOutcome>;
type Run = GuardedRun;

/** One payment call as the policy sees it. */
export interface GuardedCall {
  /** Whose limits apply: a static token's label, `oauth:<client_id>`, or `stdio`. */
  credential: string;
  body: PaymentCreateParams;
  /** The payment reference: the budget reservation's key. */
  reference: string;
  api: () => DodoApi;
  sleep: Sleep;
  logger: Logger;
}

/** A call the policy refused before anything was sent; thrown from the run, so nothing is stored under the key. */
export class SpendRefusal extends Error {
  constructor(
    /** The log line's outcome. */
    readonly outcome: 'refused_by_policy' | 'budget_store_unavailable',
    message: string,
    /** Which rule refused it. */
    readonly rule: string,
  ) {
    super(message);
    this.name = 'SpendRefusal';
  }
}

// Money may have moved (or will, when the customer pays): the budget stays spent. Anything else certainly sent
// nothing that exists, and gives it back.
const KEEPS_RESERVATION = new Set<PaymentOutcome['kind']>(['created', 'unknown_outcome']);

export interface SpendPolicyOptions {
  environment: Environment;
  /** Reads the policy file (a ConfigError when it is bad); absent without DODO_PAYMENTS_POLICY_FILE. */
  read?: () => Policy;
  budgets: BudgetStore;
  now: () => number;
}

/**
 * The operator's spend policy, applied to every create_one_time_payment run: read at start (a bad file stops the
 * server), re-read on `reload` (SIGHUP; a bad file keeps the policy in force). The model cannot argue with it.
 */
export class SpendPolicy {
  private policy: Policy | undefined;
  private readonly prices: ProductPrices;

  constructor(private readonly options: SpendPolicyOptions) {
    this.policy = options.read?.();
    this.prices = new ProductPrices(options.now);
  }

  /** Whether a policy file is in force, for the start line and the health check (never its contents). */
  get state(): 'loaded' | 'none' {
    return this.policy ? 'loaded' : 'none';
  }

  /** Reads the file again; a bad file leaves the current policy in force and logs one line saying why. */
  reload(logger: Logger): void {
    if (!this.options.read) return;
    try {
      this.policy = this.options.read();
      logger.info('policy_reloaded', { spend_policy: this.state });
    } catch (error) {
      logger.warn('policy_reload_failed', { error: error instanceof Error ? error.message : String(error), kept: 'previous policy' });
    }
  }

  private limitsOf(credential: string): Limits {
    return limitsFor(this.policy, credential, this.options.environment);
  }

  /** The tool description's line about the caller's limits. */
  describe(credential: string): string[] {
    return describeLimits(this.limitsOf(credential));
  }

  /**
   * `run` held to the credential's limits. A refusal throws SpendRefusal before anything is sent; an admitted
   * payment's reservation (keyed by its reference) is kept when the outcome is `created` or `unknown_outcome` and
   * released otherwise. A run resolving an earlier unknown outcome (`prior`) was admitted with it and counts once.
   */
  guard(call: GuardedCall, run: Run): Run {
    return async (prior, signal) => {
      const admission = await this.admit(call, prior, signal);
      if (admission.kind === 'hold') return admission.outcome;
      const outcome = await run(prior, signal);
      if (admission.kind === 'reserved' && !KEEPS_RESERVATION.has(outcome.kind)) {
        await this.options.budgets.release(call.credential, call.reference).catch(() => {
          // Over-counted, never under: the reservation expires with its window.
          call.logger.warn('budget_release_failed', { reference: call.reference });
        });
      }
      return outcome;
    };
  }

  private async admit(call: GuardedCall, run: PriorRun<PaymentOutcome> | undefined, signal: AbortSignal): Promise<Admission> {
    const { credential, reference } = call;
    // A key the store has no record of (it may have forgotten one) is a new call as far as budgets go.
    const prior = run?.kind === 'unrecorded' ? undefined : run;
    const limits = this.limitsOf(credential);
    if (limits.paused) {
      if (!prior) refuse('live_mode_paused', 'live payments are paused by the operator (live_mode_paused)');
      // An earlier unknown outcome stays tied to its key, unsent and unresolved, until payments resume.
      call.logger.info('spend_policy', { outcome: 'refused_by_policy', rule: 'live_mode_paused', reference, kept: 'unresolved' });
      return { kind: 'hold', outcome: unresolved(prior) };
    }
    // Admitted with the earlier run, whose reservation stands; settled by this run's outcome.
    if (prior?.kind === 'unresolved') return { kind: limitsBudget(limits) ? 'reserved' : 'free' };
    // A run abandoned by a crashed instance sent its POST only once its reservation was made, so the budget decides:
    // already reserved, it goes on; refused, it created nothing and is refused as a new call (its key freed).
    const { currency, amount } = await this.checkedTotal(call, limits, signal, prior === undefined);
    if (!limitsBudget(limits)) return { kind: 'free' };
    const perDay = limits.per_day?.[currency];
    let answer: BudgetAnswer;
    try {
      answer = await this.options.budgets.reserve({
        credential,
        reference,
        currency,
        amount,
        at: this.options.now(),
        ...(perDay !== undefined && { perDay }),
        ...(limits.payments_per_hour !== undefined && { perHour: limits.payments_per_hour }),
      });
    } catch {
      if (prior) return { kind: 'hold', outcome: unresolved(prior) };
      throw new SpendRefusal(
        'budget_store_unavailable',
        'The budget store (Redis) is unreachable; nothing was sent. Retry later.',
        'budget_store',
      );
    }
    if (answer.kind === 'refused' && answer.rule === 'per_day') {
      const left = formatAmount(Math.max(0, (perDay ?? 0) - answer.used), currency);
      refuse(
        'per_day',
        `per_day ${formatAmount(perDay ?? 0, currency)} for ${credential}, ${left} left; this payment is ${formatAmount(amount, currency)}`,
      );
    }
    if (answer.kind === 'refused') {
      const perHour = limits.payments_per_hour ?? 0;
      refuse(
        'payments_per_hour',
        `payments_per_hour ${perHour} for ${credential}, ${Math.max(0, perHour - answer.used)} left in the last hour`,
      );
    }
    // Already reserved under a new call's reference: an earlier payment under the key, which this run does not own.
    return { kind: answer.kind === 'reserved' || prior ? 'reserved' : 'free' };
  }

  /**
   * The payment's expected total, after the request's own rules (saved methods, max_payment, a readable total in one
   * currency) when `enforce`; otherwise (an abandoned run, checked when it first ran) as far as it can be read.
   */
  private async checkedTotal(call: GuardedCall, limits: Limits, signal: AbortSignal, enforce: boolean): Promise<Money> {
    const { credential, body } = call;
    if (enforce && body.payment_method_id != null && !limits.saved_payment_methods) {
      refuse(
        'saved_payment_methods',
        `saved_payment_methods is off for ${credential}: payment_method_id may not be used; send a payment_link instead`,
      );
    }
    if (!limitsAmounts(limits)) return NO_AMOUNT;
    const total = await this.prices.expectedTotal(body.product_cart, call.api(), { signal, sleep: call.sleep, logger: call.logger });
    if (!total.ok) return enforce ? refuse('expected_total', `limits apply to ${credential}, and ${total.reason}`) : NO_AMOUNT;
    if (!enforce || !limits.max_payment) return total;
    const cap = limits.max_payment[total.currency];
    const payment = formatAmount(total.amount, total.currency);
    if (cap === undefined)
      refuse(
        'max_payment',
        `max_payment for ${credential} lists only ${Object.keys(limits.max_payment).join(', ')}; this payment is ${payment}`,
      );
    else if (total.amount > cap)
      refuse('max_payment', `max_payment ${formatAmount(cap, total.currency)} for ${credential}; this payment is ${payment}`);
    return total;
  }
}

type Admission = { kind: 'hold'; outcome: PaymentOutcome } | { kind: 'reserved' | 'free' };
type Money = { currency: string; amount: number };
/** No amount rule applies, or (for an abandoned run) the total could not be read: only counts are kept. */
const NO_AMOUNT: Money = { currency: '', amount: 0 };

function refuse(rule: string, text: string): never {
  throw new SpendRefusal('refused_by_policy', `Refused by policy: ${text}; nothing was sent.`, rule);
}

/** The earlier run's outcome, kept to be resolved later: what a run that sends nothing leaves behind. */
function unresolved(prior: Exclude<PriorRun<PaymentOutcome>, { kind: 'unrecorded' }>): PaymentOutcome {
  if (prior.kind === 'unresolved') return prior.outcome;
  const failure = classifyFailure({ type: 'interrupted' });
  return { kind: 'unknown_outcome', failure, attempts: 0, attemptStartedAt: prior.startedAt, quietAt: prior.quietAt };
}
