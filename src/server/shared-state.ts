import type { Config } from '../config/config.js';
import { createDodoApi, type DodoApi } from '../dodo/api-client.js';
import { abortableSleep, type Sleep } from '../dodo/retry-policy.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../idempotency/memory-store.js';
import { type IdempotencyStoreHealth, RedisIdempotencyStore } from '../idempotency/redis-store.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import type { PaymentOutcome } from '../tools/create-one-time-payment/payment-outcome.js';
import { SERVER_VERSION } from './create-server.js';
import { InFlightPayments } from './in-flight-payments.js';

/**
 * What outlives a connection: created once per process by the entry point and given to every server
 * instance, so a transport that builds a server per request keeps "same key → one POST" and one client.
 */
export interface SharedState {
  config: Config;
  /** Built on first use, so a server without a key still starts and lists its tools. */
  api: () => DodoApi;
  idempotency: IdempotencyStore<PaymentOutcome>;
  logger: Logger;
  /** Waits between retries; tests pass one that does not wait. */
  sleep: Sleep;
  now: () => number;
  /** Payment runs in flight, drained on shutdown. */
  payments: InFlightPayments;
  /** Whether the shared idempotency store answers, for the health check; absent when keys are kept in memory. */
  idempotencyHealth?: () => Promise<IdempotencyStoreHealth>;
  /** Releases what the state holds (the Redis connection); call once the payments in flight were drained. */
  close(): Promise<void>;
}

export type SharedStateOverrides = Partial<Omit<SharedState, 'config' | 'api' | 'payments'>> & { api?: DodoApi };

export function createSharedState(config: Config, overrides: SharedStateOverrides = {}): SharedState {
  let api = overrides.api;
  const now = overrides.now ?? Date.now;
  // With a Redis URL, keys are shared by every instance (and survive restarts); the client loads on first use.
  const redis =
    overrides.idempotency || !config.redisUrl ? undefined : new RedisIdempotencyStore<PaymentOutcome>({ url: config.redisUrl, now });
  return {
    config,
    api: () => (api ??= createDodoApi({ ...config, apiKey: config.apiKey ?? '', serverVersion: SERVER_VERSION })),
    idempotency: overrides.idempotency ?? redis ?? new MemoryIdempotencyStore(),
    logger: overrides.logger ?? silentLogger,
    sleep: overrides.sleep ?? abortableSleep,
    now,
    payments: new InFlightPayments(),
    ...(redis && { idempotencyHealth: () => redis.state() }),
    close: async () => {
      await redis?.close();
    },
  };
}
