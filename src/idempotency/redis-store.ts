import type { Clock, Sleep } from '../dodo/retry-policy.js';
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
  timeout?: Clock['timeout'];
}

/** The shared idempotency store in Redis (see shared-store.ts for the protocol, redis-records.ts for the scripts). */
export class RedisIdempotencyStore<T> extends SharedIdempotencyStore<T> {
  private readonly records: RedisRecords;

  constructor({ url, ...options }: RedisIdempotencyStoreOptions) {
    const records = new RedisRecords(url);
    super(records, options);
    this.records = records;
  }

  /** Whether Redis answers and what it says of its durability, each within `deadlineMs`: for the start line and /healthz. */
  async status(deadlineMs: number): Promise<{ reachable: boolean; durability: RedisDurability }> {
    const reachable = (await this.state(deadlineMs)) === 'ok';
    if (!reachable) return { reachable, durability: 'unknown' };
    // Learning the epoch now (at start) starts any wait for lost holders now, not at the first payment.
    await this.checkForLoss().catch(() => undefined);
    const durability = await this.operation(() => this.records.durability(), deadlineMs, false).catch((): RedisDurability => 'unknown');
    return { reachable, durability };
  }

  close(): Promise<void> {
    return this.records.close();
  }
}
