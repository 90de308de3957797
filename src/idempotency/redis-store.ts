import type { Sleep } from '../dodo/retry-policy.js';
import { type RedisDurability, RedisRecords } from './redis-records.js';
import { SharedIdempotencyStore } from './shared-store.js';

export interface RedisIdempotencyStoreOptions {
  /** `redis://` or `rediss://`; may hold a password, so it is never logged or put in an error. */
  url: string;
  /** The longest hold a payment run asks for (one request's deadline). */
  maxHoldMs?: number;
  retentionMs?: number;
  renewEveryMs?: number;
  maxWaitMs?: number;
  now?: () => number;
  sleep?: Sleep;
}

/** The shared idempotency store in Redis (see shared-store.ts for the protocol, redis-records.ts for the scripts). */
export class RedisIdempotencyStore<T> extends SharedIdempotencyStore<T> {
  private readonly records: RedisRecords;

  constructor({ url, ...options }: RedisIdempotencyStoreOptions) {
    const records = new RedisRecords(url);
    super(records, options);
    this.records = records;
  }

  /** What the server says of its durability (see RedisDurability). */
  durability(): Promise<RedisDurability> {
    return this.records.durability();
  }

  close(): Promise<void> {
    return this.records.close();
  }
}
