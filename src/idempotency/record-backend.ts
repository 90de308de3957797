/**
 * What the shared idempotency store needs of a key-value server: plain strings, atomic conditional writes, and
 * signs of lost data. Implemented by Redis (redis-records.ts) and by the simulation's store. Any operation may reject
 * or never settle; the store gives each its own deadline.
 */
export interface RecordBackend {
  /** The value under `key`, or null. */
  get(key: string): Promise<string | null>;
  /** Sets `key` (expiring after `ttlMs`) only if it is absent and the epoch marker is still `epoch`. */
  create(key: string, value: string, ttlMs: number, epoch: string): Promise<'ok' | 'exists' | 'epoch'>;
  /** Replaces `key` only if it still holds exactly `expected` and the epoch marker is still `epoch`. */
  replace(key: string, expected: string, value: string, ttlMs: number, epoch: string): Promise<'ok' | 'changed' | 'epoch'>;
  /**
   * Replaces (`value`) or deletes (null) `key` only while it holds an in-flight record owned by `owner`; true if it
   * did. An in-flight record's `leaseUntil` never moves back (a late renewal cannot undo a hold), except to 0, which
   * gives the key back.
   */
  writeIfOwner(key: string, owner: string, value: string | null, ttlMs: number): Promise<boolean>;
  /** The epoch marker, set to `candidate` first if there is none (a new or emptied server). */
  epoch(candidate: string): Promise<string>;
  /** Sets the epoch marker to `candidate` if it is still `expected`; resolves to the marker as it then is. */
  replaceEpoch(expected: string, candidate: string): Promise<string>;
  /** The id of the server process behind the connection (another one after a restart or failover). */
  serverRunId(): Promise<string>;
  /** Counts the connections made so far: a new one may lead to a server that lost data. */
  readonly connections: number;
  ping(): Promise<void>;
  /** Drops the connection (a silent one); the next operation connects again. */
  reset(): void;
}
