import { type BudgetAnswer, type BudgetRequest, type BudgetStore, DAY_MS, HOUR_MS } from './budget-store.js';

type Reservation = { at: number; currency: string; amount: number };

/**
 * Budgets in this process's memory: one map of reservations per credential, in the order they were made (the
 * clock only moves forward), so the ones older than 24 h are dropped from the front. Each reserve runs to the end
 * without awaiting, which is what makes it atomic among concurrent calls.
 */
export class MemoryBudgetStore implements BudgetStore {
  private readonly credentials = new Map<string, Map<string, Reservation>>();

  reserve({ credential, reference, currency, amount, at, perDay, perHour }: BudgetRequest): Promise<BudgetAnswer> {
    const reservations = this.current(credential, at);
    if (reservations.has(reference)) return Promise.resolve({ kind: 'already_reserved' });
    if (perHour !== undefined) {
      let count = 0;
      for (const reservation of reservations.values()) if (reservation.at > at - HOUR_MS) count += 1;
      if (count + 1 > perHour) return Promise.resolve({ kind: 'refused', rule: 'payments_per_hour', used: count });
    }
    if (perDay !== undefined) {
      let used = 0;
      for (const reservation of reservations.values()) if (reservation.currency === currency) used += reservation.amount;
      if (used + amount > perDay) return Promise.resolve({ kind: 'refused', rule: 'per_day', used });
    }
    reservations.set(reference, { at, currency, amount });
    return Promise.resolve({ kind: 'reserved' });
  }

  release(credential: string, reference: string): Promise<void> {
    this.credentials.get(credential)?.delete(reference);
    return Promise.resolve();
  }

  /** The credential's reservations of the last 24 h. */
  private current(credential: string, now: number): Map<string, Reservation> {
    const reservations = this.credentials.get(credential) ?? new Map<string, Reservation>();
    this.credentials.set(credential, reservations);
    for (const [reference, reservation] of reservations) {
      if (reservation.at > now - DAY_MS) break;
      reservations.delete(reference);
    }
    return reservations;
  }
}
