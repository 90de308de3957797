import type { IdempotencyStore, IdempotentRun, IdempotentTask, PriorRun, Settlement } from './idempotency-store.js';

const DEFAULT_MAX_KEYS = 10_000;
const DEFAULT_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const LEFT = Symbol('left');

type Entry<T> = {
  fingerprint: string;
  storedAt: number;
} & (
  | { state: 'in_flight'; outcome: Promise<T>; waiting: number; controller: AbortController }
  | { state: 'settled'; value: T; settlement: Exclude<Settlement, 'forget'> }
);

export interface IdempotencyStoreOptions {
  maxKeys?: number;
  ttlMs?: number;
  now?: () => number;
}

/** The idempotency store in this process's memory: bounded by count and by age, lost on restart. */
export class MemoryIdempotencyStore<T> implements IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly maxKeys: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor({ maxKeys = DEFAULT_MAX_KEYS, ttlMs = DEFAULT_KEY_TTL_MS, now = Date.now }: IdempotencyStoreOptions = {}) {
    this.maxKeys = maxKeys;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get size(): number {
    return this.entries.size;
  }

  async run(
    key: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
  ): Promise<IdempotentRun<T>> {
    this.evictExpired();
    const existing = this.entries.get(key);
    if (existing && existing.fingerprint !== fingerprint) return { kind: 'conflict' };
    if (signal.aborted) return { kind: 'left' };
    if (existing?.state === 'in_flight') return this.wait(existing, signal, 'replayed');
    if (existing?.settlement === 'replay') return { kind: 'replayed', value: existing.value };
    const prior: PriorRun<T> | undefined = existing && { kind: 'unresolved', outcome: existing.value };
    return this.wait(this.start(key, fingerprint, task, settle, prior), signal, 'ran');
  }

  private start(
    key: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    prior: PriorRun<T> | undefined,
  ): Extract<Entry<T>, { state: 'in_flight' }> {
    const controller = new AbortController();
    const entry = {
      fingerprint,
      storedAt: this.now(),
      state: 'in_flight' as const,
      waiting: 0,
      controller,
      outcome: task(prior, controller.signal),
    };
    // Re-inserted, not updated, so the map stays in order of age (eviction relies on it).
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evictOverflow();
    const isCurrent = () => this.entries.get(key) === entry;
    // Settles the entry whoever is still waiting: the outcome belongs to the key, not to a caller.
    entry.outcome.then(
      (value) => {
        if (!isCurrent()) return;
        const settlement = settle(value);
        if (settlement === 'forget') this.entries.delete(key);
        else this.entries.set(key, { fingerprint, storedAt: entry.storedAt, state: 'settled', value, settlement });
      },
      () => {
        if (isCurrent()) this.entries.delete(key);
      },
    );
    return entry;
  }

  /** The run's value for this caller, or `left` if it cancels first; the run is aborted when its last caller leaves. */
  private async wait(
    entry: Extract<Entry<T>, { state: 'in_flight' }>,
    signal: AbortSignal,
    kind: 'ran' | 'replayed',
  ): Promise<IdempotentRun<T>> {
    entry.waiting += 1;
    let onAbort!: () => void;
    const left = new Promise<typeof LEFT>((resolve) => {
      onAbort = () => resolve(LEFT);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const value = await Promise.race([entry.outcome, left]);
      if (value !== LEFT) return { kind, value };
      if (entry.waiting === 1) entry.controller.abort();
      return { kind: 'left' };
    } finally {
      entry.waiting -= 1;
      signal.removeEventListener('abort', onAbort);
    }
  }

  // Map iteration is insertion order, so the oldest entries come first.
  private evictExpired(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, entry] of this.entries) {
      if (entry.storedAt > cutoff) break;
      if (entry.state === 'settled') this.entries.delete(key);
    }
  }

  // An outcome still to be resolved is kept like one in flight: dropping it would let a retry send without looking first.
  private evictOverflow(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys) break;
      if (entry.state === 'settled' && entry.settlement === 'replay') this.entries.delete(key);
    }
  }
}
