import type { Config } from '../config/config.js';
import { RedisIdempotencyStore } from '../idempotency/redis-store.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { secretForms } from '../logging/redact.js';
import { attemptTimeoutMs } from '../payments/exactly-once.js';
import type { PaymentOutcome } from '../payments/outcome.js';
import { RedisBudgetStore } from '../payments/policy/redis-budget-store.js';
import { createSharedState, type SharedState, type SharedStateOverrides } from './shared-state.js';

/** How long the health check and the start line wait for Redis: /healthz answers within a second, whatever Redis does. */
const STATUS_DEADLINE_MS = 400;

/**
 * Shared state whose idempotency store is Redis when DODO_PAYMENTS_REDIS_URL is set (keys shared by every
 * instance, surviving restarts), in memory otherwise. Part of dist/hosted.js: the stdio-only bundle never loads Redis.
 */
export function hostedSharedState(config: Config, overrides: SharedStateOverrides = {}): SharedState {
  const redis =
    config.redisUrl === undefined
      ? undefined
      : new RedisIdempotencyStore<PaymentOutcome>({
          url: config.redisUrl,
          maxHoldMs: attemptTimeoutMs(config),
          ...(overrides.now && { now: overrides.now }),
        });
  // Spend budgets live beside the keys, so limits hold across instances too.
  const budgets =
    config.redisUrl === undefined ? undefined : new RedisBudgetStore({ url: config.redisUrl, environment: config.environment });
  return createSharedState(config, {
    ...(redis &&
      budgets && {
        idempotency: redis,
        budgets,
        idempotencyStatus: async () => ({ store: 'redis' as const, ...(await redis.status(STATUS_DEADLINE_MS)) }),
        close: async () => void (await Promise.all([redis.close(), budgets.close()])),
      }),
    ...overrides,
  });
}

/** The API key, the state secret, each configured bearer token and the Redis password are secrets the logger removes, whatever a caller passes it. */
export function hostedLogger(config: Config): Logger {
  return createLogger({
    level: config.logLevel,
    secrets: [...secretForms(config), ...(config.httpTokens?.secrets ?? []), redisPassword(config.redisUrl)],
  });
}

function redisPassword(redisUrl: string | undefined): string | undefined {
  return redisUrl === undefined ? undefined : decodeURIComponent(new URL(redisUrl).password) || undefined;
}
