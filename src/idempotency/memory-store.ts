import { sha256 } from '../node-crypto.js';
import {
  type IdempotencyStore,
  type IdempotentRun,
  type IdempotentTask,
  KEY_RETENTION_MS,
  type KeyHold,
  type PriorRun,
  type Settlement,
} from './idempotency-store.js';
import { LEFT, waitForRun } from './shared-run.js';

const DEFAULT_MAX_KEYS = 10_000;
/** What the remembered outcomes may take, estimated from their serialized size (see estimatedBytes). */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

type Entry<T> = {
  /** A digest of the request, not the request: at the schema's largest arguments that is ~55 KB per key. */
  fingerprint: string;
  storedAt: number;
  /** The key, the digest and (once settled) the outcome, as estimated for the byte bound. */
  bytes: number;
} & (
  | { state: 'in_flight'; outcome: Promise<T>; waiting: number; controller: AbortController }
  | { state: 'settled'; value: T; settlement: Exclude<Settlement, 'forget'> }
);

export interface IdempotencyStoreOptions {
  maxKeys?: number;
  maxBytes?: number;
  ttlMs?: number;
  now?: () => number;
}

/** One process holds its keys alone: nobody can take one over, so a hold always stands. */
const SOLE_HOLDER: KeyHold = { holdFor: () => Promise.resolve(true) };

/**
 * The idempotency store in this process's memory: bounded by key count, by the estimated bytes of what it
 * remembers, and by age; lost on restart. The oldest replayable entries go first; an entry in flight, or one
 * whose outcome is still to be resolved, never does (dropping it would let a retry send without looking first).
 * It starts empty, so for the retention time after it was made a key it has no record of may have been used by an
 * earlier process: such a run gets `{ kind: 'unrecorded' }` and looks before it sends.
 */
export class MemoryIdempotencyStore<T> implements IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly maxKeys: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private totalBytes = 0;
  private readonly startedAt: number;

  constructor({
    maxKeys = DEFAULT_MAX_KEYS,
    maxBytes = DEFAULT_MAX_BYTES,
    ttlMs = KEY_RETENTION_MS,
    now = Date.now,
  }: IdempotencyStoreOptions = {}) {
    this.maxKeys = maxKeys;
    this.maxBytes = maxBytes;
    this.ttlMs = ttlMs;
    this.now = now;
    this.startedAt = now();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes of every entry held. */
  get bytes(): number {
    return this.totalBytes;
  }

  async run(
    key: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
  ): Promise<IdempotentRun<T>> {
    this.evictExpired();
    const digest = sha256(fingerprint).digest('base64');
    const existing = this.entries.get(key);
    if (existing && existing.fingerprint !== digest) return { kind: 'conflict' };
    if (signal.aborted) return { kind: 'left' };
    if (existing?.state === 'in_flight') {
      if (!existing.controller.signal.aborted) return this.wait(existing, signal, 'replayed');
      // Every caller of that run left, so it is ending: what it made stays the key's, but what it says of itself
      // (a confirmation cut short) answers nobody. A newcomer starts again once it has ended.
      await existing.outcome.catch(() => undefined);
      return this.run(key, fingerprint, task, settle, signal);
    }
    if (existing?.settlement === 'replay') return { kind: 'replayed', value: existing.value };
    const prior: PriorRun<T> | undefined = existing
      ? { kind: 'unresolved', outcome: existing.value }
      : this.now() < this.startedAt + this.ttlMs
        ? { kind: 'unrecorded', since: this.startedAt - this.ttlMs, quietAt: 0 }
        : undefined;
    return this.wait(this.start(key, digest, task, settle, prior), signal, 'ran');
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
      bytes: key.length + fingerprint.length,
      state: 'in_flight' as const,
      waiting: 0,
      controller,
      outcome: task(prior, controller.signal, SOLE_HOLDER),
    };
    // Re-inserted, not updated, so the map stays in order of age (eviction relies on it).
    this.set(key, entry);
    const isCurrent = () => this.entries.get(key) === entry;
    // Settles the entry whoever is still waiting: the outcome belongs to the key, not to a caller.
    entry.outcome.then(
      (value) => {
        if (!isCurrent()) return;
        const settlement = settle(value);
        if (settlement === 'forget') this.drop(key);
        else {
          const bytes = key.length + fingerprint.length + estimatedBytes(value);
          this.set(key, { fingerprint, storedAt: entry.storedAt, bytes, state: 'settled', value, settlement });
        }
      },
      () => {
        if (isCurrent()) this.drop(key);
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
    const value = await waitForRun(entry, entry.outcome, signal);
    return value === LEFT ? { kind: 'left' } : { kind, value };
  }

  /** Stores `entry` under `key` as the newest entry, then makes room by count and by bytes. */
  private set(key: string, entry: Entry<T>): void {
    this.drop(key);
    this.entries.set(key, entry);
    this.totalBytes += entry.bytes;
    this.evictOverflow(entry);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  // Map iteration is insertion order, so the oldest entries come first.
  private evictExpired(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, entry] of this.entries) {
      if (entry.storedAt > cutoff) break;
      if (entry.state === 'settled') this.drop(key);
    }
  }

  /** Oldest replayable entries first; never one in flight or still to be resolved, nor the one just stored (the likeliest to be retried). */
  private evictOverflow(newest: Entry<T>): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys && this.totalBytes <= this.maxBytes) break;
      if (entry.state === 'settled' && entry.settlement === 'replay' && entry !== newest) this.drop(key);
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
