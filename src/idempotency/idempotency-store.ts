/** How long a key's record is kept (24 h) unless a store is told otherwise; after that the key counts as new. */
export const KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

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
 * What the store knows of a key that a new run must find out about before acting (never a blind re-send):
 * - `unresolved`: an earlier run settled with an outcome the policy marks `resolve` (the payment may or may not exist);
 * - `abandoned`: a shared store's in-flight record whose owner stopped renewing it (a crashed or cut-off instance);
 *   `startedAt` is when the first run under the key began;
 * - `unrecorded`: no record, but the store may have lost one: it started empty (memory, a new process) or lost data
 *   (Redis restarted, flushed, failed over); a lost record's first run began no earlier than `since`.
 * `quietAt` (epoch ms): by then every request an earlier holder of the key may have sent has ended, because a holder
 * sends only while its lease outlives the attempt (see `KeyHold`); 0 when no holder is known to have been cut off (a
 * store that started empty: its earlier records were settled, or their processes stopped before it started).
 */
export type PriorRun<T> =
  | { kind: 'unresolved'; outcome: T }
  | { kind: 'abandoned'; startedAt: number; quietAt: number }
  | { kind: 'unrecorded'; since: number; quietAt: number };

/** The task's hold on its key. */
export interface KeyHold {
  /**
   * Resolves true only once the store has confirmed that no other run can take the key over for the next `ms`
   * (a shared store extends the lease); false when that cannot be confirmed (the store is unreachable or the key was
   * taken over). A task sends nothing that could still be in flight after a hold it could not confirm.
   */
  holdFor(ms: number): Promise<boolean>;
}

/** What a settled outcome means for the key. */
export type Settlement =
  /** Kept for the retention time and returned to every later call with the same fingerprint. */
  | 'replay'
  /** Kept, tied to the key; the next call runs the task again, given this outcome as its `PriorRun`. */
  | 'resolve'
  /** Dropped: the key is free again (nothing happened, e.g. a definite rejection). */
  | 'forget';

/**
 * The task that runs under a key. `prior` is what it must find out about first, if anything; `signal` aborts only
 * when every caller waiting on this run has cancelled (or the store is shutting the run down), never because one of
 * several callers left; `hold` is asked before anything is sent that another instance could duplicate.
 */
export type IdempotentTask<T> = (prior: PriorRun<T> | undefined, signal: AbortSignal, hold: KeyHold) => Promise<T>;

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
 *    the next call runs the task with `{ kind: 'abandoned', startedAt, quietAt }`. The in-memory store never produces
 *    this: its runs end with the process that holds them.
 * 6a. **Lost records.** A store that may have lost records (it started empty, or noticed a loss) runs the task for a
 *    key it has no record of with `{ kind: 'unrecorded', since, quietAt }` for the retention time after the loss.
 * 6b. **Fencing.** `hold.holdFor(ms)` confirms the key is this run's for `ms` more; a remote store answers false as
 *    soon as it cannot prove it (each store operation has its own deadline), so a cut-off instance stops sending.
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

/** Thrown by `run` before the task ran: the key's record cannot be read (corrupt); its bytes are never repeated. */
export class IdempotencyRecordUnreadable extends Error {
  constructor() {
    super('The record kept under this idempotency key cannot be read');
    this.name = 'IdempotencyRecordUnreadable';
  }
}

/** Thrown by `run` when another instance's run under the key stayed in flight (and alive) longer than `maxWaitMs`. */
export class IdempotentRunStillInFlight extends Error {
  constructor() {
    super('Another server instance is still working under this idempotency key');
    this.name = 'IdempotentRunStillInFlight';
  }
}

/**
 * JSON with object keys sorted at every level, so equal requests have equal fingerprints. Built as one string: it
 * runs on every payment call.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += `${index > 0 ? ',' : ''}${canonicalJson(value[index])}`;
    return `${text}]`;
  }
  if (value && typeof value === 'object') {
    let text = '{';
    // The default sort orders by UTF-16 code units, as `<` does.
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
    }
    return `${text}}`;
  }
  return JSON.stringify(value);
}
