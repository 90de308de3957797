import type { IdempotencyStore, IdempotentRun } from './idempotency-store.js';

const DEFAULT_MAX_KEYS = 10_000;
const DEFAULT_KEY_TTL_MS = 24 * 60 * 60 * 1000;

interface Entry<T> {
  fingerprint: string;
  outcome: Promise<T>;
  settled: boolean;
  storedAt: number;
}

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

  async run(key: string, fingerprint: string, task: () => Promise<T>, remember: (value: T) => boolean): Promise<IdempotentRun<T>> {
    this.evictExpired();
    const existing = this.entries.get(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint) return { conflict: true };
      return { conflict: false, replayed: true, value: await existing.outcome };
    }
    const entry: Entry<T> = { fingerprint, outcome: task(), settled: false, storedAt: this.now() };
    this.entries.set(key, entry);
    this.evictOverflow();
    const forget = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    try {
      const value = await entry.outcome;
      entry.settled = true;
      if (!remember(value)) forget();
      return { conflict: false, replayed: false, value };
    } catch (error) {
      forget();
      throw error;
    }
  }

  // Map iteration is insertion order, so the oldest entries come first.
  private evictExpired(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, entry] of this.entries) {
      if (entry.storedAt > cutoff) break;
      if (entry.settled) this.entries.delete(key);
    }
  }

  private evictOverflow(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys) break;
      if (entry.settled) this.entries.delete(key);
    }
  }
}
