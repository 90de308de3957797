export type IdempotentRun<T> = { conflict: false; replayed: boolean; value: T } | { conflict: true };

/**
 * Remembers what was done under each idempotency key, so that a retried call with the same key and the
 * same request gets the first call's outcome instead of a second POST. The contract, for every implementation:
 * - Concurrent calls with one key and one fingerprint share one run of the task (one POST); the others get
 *   its value with `replayed: true`.
 * - A key already used with another fingerprint is a conflict, and the task does not run.
 * - An outcome for which `remember` is false (nothing was created) frees the key; so does a task that throws.
 *   Remembered outcomes are replayed for the store's retention time.
 * - An entry still in flight is never dropped to make room.
 * One store is created per process and shared by every server instance (see server/shared-state.ts).
 */
export interface IdempotencyStore<T> {
  run(key: string, fingerprint: string, task: () => Promise<T>, remember: (value: T) => boolean): Promise<IdempotentRun<T>>;
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
