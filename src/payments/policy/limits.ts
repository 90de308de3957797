import type { Environment } from '../../config/config-values.js';
import { formatAmount } from '../money.js';
import { DEFAULT_LIMITS, type LimitSet, type Policy } from './policy-file.js';

/** The rules one credential's calls are held to, resolved from the policy (or from its absence). */
export type Limits = Omit<LimitSet, 'saved_payment_methods'> & {
  /** Whose limits these are, for messages: the credential. */
  credential: string;
  saved_payment_methods: boolean;
  /** `live_mode_paused` in live mode: every payment is refused. */
  paused: boolean;
};

/**
 * The credential's own entry replaces `default` field by field (a field it leaves out is `default`'s).
 * `saved_payment_methods` defaults to false in live mode and true in test mode, with or without a policy:
 * charging a saved method moves money with no customer present.
 */
export function limitsFor(policy: Policy | undefined, credential: string, environment: Environment): Limits {
  const merged: LimitSet = { ...policy?.limits[DEFAULT_LIMITS], ...policy?.limits[credential] };
  return {
    ...merged,
    credential,
    saved_payment_methods: merged.saved_payment_methods ?? environment === 'test_mode',
    paused: environment === 'live_mode' && (policy?.live_mode_paused ?? false),
  };
}

/** Whether a call needs the payment's expected total (and so the products' prices) to be checked. */
export function limitsAmounts(limits: Limits): boolean {
  return limits.max_payment !== undefined || limits.per_day !== undefined;
}

/** Whether a call must reserve a place in the credential's budget (a rolling sum or count). */
export function limitsBudget(limits: Limits): boolean {
  return limits.per_day !== undefined || limits.payments_per_hour !== undefined;
}

/** The caller's limits in one short line for the tool description (none when nothing limits it). */
export function describeLimits(limits: Limits): string[] {
  if (limits.paused) return ['Live payments are paused by the operator: every call is refused.'];
  const amounts = (perCurrency: Partial<Record<string, number>>) =>
    Object.entries(perCurrency)
      .map(([currency, amount]) => formatAmount(amount ?? 0, currency))
      .join(' or ');
  const rules = [
    limits.max_payment && `${amounts(limits.max_payment)}/payment`,
    limits.per_day && `${amounts(limits.per_day)}/24 h`,
    limits.payments_per_hour !== undefined && `${limits.payments_per_hour} payments/hour`,
    !limits.saved_payment_methods && 'no payment_method_id',
  ].filter((rule) => typeof rule === 'string');
  return rules.length > 0 ? [`Your limits: ${rules.join(', ')}.`] : [];
}
