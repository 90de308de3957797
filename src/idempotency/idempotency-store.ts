/** What a caller of `run` gets. */
export type IdempotentRun<T> =
  /** The key was used with another fingerprint; the task did not run. */
  | { kind: 'conflict' }
  /** This call ran the task (first use of the key, or a key whose last outcome is to be resolved). */
  | { kind: 'ran'; value: T }
  /** Another call's outcome under the same key and fingerprint (it was in flight, or settled and replayable). */
  | { kind: 'replayed'; value: T }
  /** This caller cancelled before the outcome was known; the shared run goes on for the other callers. */
  | { kind: 'left' };

/**
 * A run of the task that did not settle where the next caller can see it:
 * - `unresolved`: it settled with an outcome the policy marks `resolve` (e.g. the payment may or may not exist);
 * - `abandoned`: a remote store's in-flight record whose owner stopped renewing it (a crashed instance), so
 *   nobody knows what it did; `startedAt` is when that run began.
 * The next task receives it so it can find out what happened before acting again (never a blind re-send).
 */
export type PriorRun<T> = { kind: 'unresolved'; outcome: T } | { kind: 'abandoned'; startedAt: number };

/** What a settled outcome means for the key. */
export type Settlement =
  /** Kept for the retention time and returned to every later call with the same fingerprint. */
  | 'replay'
  /** Kept, tied to the key; the next call runs the task again, given this outcome as its `PriorRun`. */
  | 'resolve'
  /** Dropped: the key is free again (nothing happened, e.g. a definite rejection). */
  | 'forget';

/**
 * The task that runs under a key. `prior` is the unresolved run it follows, if any; `signal` aborts only
 * when every caller waiting on this run has cancelled (or the store is shutting the run down), never
 * because one of several callers left.
 */
export type IdempotentTask<T> = (prior: PriorRun<T> | undefined, signal: AbortSignal) => Promise<T>;

/**
 * Remembers what was done under each idempotency key, so that a retried call with the same key and the
 * same request gets the first call's outcome instead of a second POST. The contract, for every implementation
 * (the in-memory one here, and a shared one such as Redis for many server instances):
 * 1. **One run per key at a time.** Concurrent calls with one key and one fingerprint share one run of the
 *    task, across every instance sharing the store; the first gets `ran`, the others `replayed` with its value.
 *    A waiter waits for the run to settle (a remote store bounds the wait by the in-flight record's lease and
 *    the task's own documented bound) and learns the outcome from the store, not from the other caller.
 * 2. **Conflicts.** A key held (in flight or settled) with another fingerprint is a `conflict`; nothing runs.
 * 3. **Settlement** is decided by `settle(value)`: `replay` keeps the outcome for the retention time (24 h by
 *    default) and returns it to later calls; `resolve` keeps it tied to the key and the next call runs the
 *    task again with `{ kind: 'unresolved', outcome }`; `forget` frees the key. A task that throws frees it too.
 * 4. **Cancellation.** A caller's `signal` only makes that caller `left`; the task's own signal aborts once
 *    no caller is waiting for it. Other callers get the run's real outcome.
 * 5. **Stored values are plain JSON** (no functions, promises or class instances), so a remote store can
 *    hold them; everything a later task needs to resolve an outcome must be in the outcome or derivable from
 *    the key (the payment reference is derived from the key for this reason).
 * 6. **Abandoned runs.** An in-flight record outlives its owner only in a remote store; when its lease expires
 *    the next call runs the task with `{ kind: 'abandoned', startedAt }`. The in-memory store never produces
 *    this: its runs end with the process that holds them.
 * 7. **Bounds.** An entry in flight or still to be resolved is never dropped to make room; replayable entries may
 *    be evicted when the store is full, and any settled entry past retention, after which the key counts as new.
 * One store is created per process and shared by every server instance (see server/shared-state.ts).
 */
export interface IdempotencyStore<T> {
  run(
    key: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
  ): Promise<IdempotentRun<T>>;
}

/** Thrown by `run` before the task ran: a shared store (Redis) is configured but unreachable or failing, so nothing was done. */
export class IdempotencyStoreUnavailable extends Error {
  constructor(cause?: unknown) {
    // Never the URL: it may hold a password.
    super('The idempotency store (Redis) is unreachable', { cause });
    this.name = 'IdempotencyStoreUnavailable';
  }
}

/** Thrown by `run` when another instance's run under the key stayed in flight (and alive) longer than `maxWaitMs`. */
export class IdempotentRunStillInFlight extends Error {
  constructor() {
    super('Another server instance is still working under this idempotency key');
    this.name = 'IdempotentRunStillInFlight';
  }
}

/** JSON with object keys sorted at every level, so equal requests have equal fingerprints. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
