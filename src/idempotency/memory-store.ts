import { createHash } from 'node:crypto';
import type { IdempotencyStore, IdempotentRun } from './idempotency-store.js';

const DEFAULT_MAX_KEYS = 10_000;
/** What the remembered outcomes may take, estimated from their serialized size (see estimatedBytes). */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const DEFAULT_KEY_TTL_MS = 24 * 60 * 60 * 1000;

interface Entry<T> {
  /** A digest of the request, not the request: at the schema's largest arguments that is ~55 KB per key. */
  fingerprint: string;
  outcome: Promise<T>;
  settled: boolean;
  storedAt: number;
  bytes: number;
}

export interface IdempotencyStoreOptions {
  maxKeys?: number;
  maxBytes?: number;
  ttlMs?: number;
  now?: () => number;
}

/**
 * The idempotency store in this process's memory: bounded by key count, by the estimated bytes of what it
 * remembers, and by age; lost on restart. The oldest settled entries go first; an entry in flight never does.
 */
export class MemoryIdempotencyStore<T> implements IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly maxKeys: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private totalBytes = 0;

  constructor({
    maxKeys = DEFAULT_MAX_KEYS,
    maxBytes = DEFAULT_MAX_BYTES,
    ttlMs = DEFAULT_KEY_TTL_MS,
    now = Date.now,
  }: IdempotencyStoreOptions = {}) {
    this.maxKeys = maxKeys;
    this.maxBytes = maxBytes;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes of every entry held. */
  get bytes(): number {
    return this.totalBytes;
  }

  async run(key: string, fingerprint: string, task: () => Promise<T>, remember: (value: T) => boolean): Promise<IdempotentRun<T>> {
    this.evictExpired();
    const digest = createHash('sha256').update(fingerprint).digest('base64');
    const existing = this.entries.get(key);
    if (existing) {
      if (existing.fingerprint !== digest) return { conflict: true };
      return { conflict: false, replayed: true, value: await existing.outcome };
    }
    const entry: Entry<T> = {
      fingerprint: digest,
      outcome: task(),
      settled: false,
      storedAt: this.now(),
      bytes: key.length + digest.length,
    };
    this.entries.set(key, entry);
    this.totalBytes += entry.bytes;
    this.evictOverflow(entry);
    const forget = () => {
      if (this.entries.get(key) === entry) this.drop(key, entry);
    };
    try {
      const value = await entry.outcome;
      entry.settled = true;
      if (!remember(value)) forget();
      else if (this.entries.get(key) === entry) {
        const outcomeBytes = estimatedBytes(value);
        entry.bytes += outcomeBytes;
        this.totalBytes += outcomeBytes;
        this.evictOverflow(entry);
      }
      return { conflict: false, replayed: false, value };
    } catch (error) {
      forget();
      throw error;
    }
  }

  private drop(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  // Map iteration is insertion order, so the oldest entries come first.
  private evictExpired(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, entry] of this.entries) {
      if (entry.storedAt > cutoff) break;
      if (entry.settled) this.drop(key, entry);
    }
  }

  /** Oldest settled entries first, never one in flight nor the one just stored (it is the likeliest to be retried). */
  private evictOverflow(newest: Entry<T>): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys && this.totalBytes <= this.maxBytes) break;
      if (entry.settled && entry !== newest) this.drop(key, entry);
    }
  }
}

/** An outcome's size, estimated as the length of its JSON (the heap holds it in a similar order of magnitude). */
function estimatedBytes(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}
