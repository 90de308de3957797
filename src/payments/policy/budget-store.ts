/** The rolling windows budgets are counted over. */
export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

/** One payment's claim on its credential's budget, made before anything is sent. */
export interface BudgetRequest {
  credential: string;
  /** The payment reference (derived from the idempotency key): one reservation per payment, however often it runs. */
  reference: string;
  /** The expected total's currency and amount (smallest unit); '' and 0 when no amount rule applies. */
  currency: string;
  amount: number;
  /** When the reservation is made (the injected clock). */
  at: number;
  /** `per_day` for this currency: the rolling 24 h sum may not pass it. */
  perDay?: number;
  /** `payments_per_hour`: the rolling 1 h count may not pass it. */
  perHour?: number;
}

export type BudgetAnswer =
  | { kind: 'reserved' }
  /** The reference holds a reservation already (a retry resolving an unknown outcome): nothing more is counted. */
  | { kind: 'already_reserved' }
  /** `used` is what the window already holds: the currency's sum for per_day, the count for payments_per_hour. */
  | { kind: 'refused'; rule: 'per_day' | 'payments_per_hour'; used: number };

/**
 * Budgets, reserved atomically before the POST and settled after it: a payment created, or whose outcome is
 * unknown, keeps its reservation for 24 hours; a definite failure releases it. Reservations are keyed by the
 * payment reference, so a replay, a retry or a recovered payment counts once. Implementations: in memory
 * (one process) and in Redis (every instance sharing it).
 */
export interface BudgetStore {
  reserve(request: BudgetRequest): Promise<BudgetAnswer>;
  /** Gives the reservation back (the payment certainly does not exist); nothing when there is none. */
  release(credential: string, reference: string): Promise<void>;
}

/** A shared budget store (Redis) that cannot be reached or answered with an error: the call is refused, nothing sent. */
export class BudgetStoreUnavailable extends Error {
  constructor(cause?: unknown) {
    super('The budget store (Redis) is unreachable', { cause });
    this.name = 'BudgetStoreUnavailable';
  }
}
