import type { Config } from '../config/config.js';
import { ENVIRONMENT_VARIABLES } from '../config/environment-variables.js';
import { createDodoApi, type DodoApi } from '../dodo/api-client.js';
import { abortableSleep, type Sleep } from '../dodo/retry-policy.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../idempotency/memory-store.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import { secretForms } from '../logging/redact.js';
import type { BudgetStore } from '../payments/policy/budget-store.js';
import { MemoryBudgetStore } from '../payments/policy/memory-budget-store.js';
import { readPolicyFile } from '../payments/policy/policy-file.js';
import { SpendPolicy } from '../payments/policy/spend-policy.js';
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
  /** Every form of the API key (and base URL credentials) a result must not carry; computed once, not per server. */
  secrets: readonly string[];
  /** Payment runs in flight, drained on shutdown. */
  payments: InFlightPayments;
  /** The operator's spend limits (DODO_PAYMENTS_POLICY_FILE), re-read on SIGHUP. */
  spend: SpendPolicy;
  /** Whether a shared idempotency store answers, for the health check; absent when keys are kept in memory. */
  idempotencyHealth?: () => Promise<'ok' | 'unreachable'>;
  /** Releases what the state holds (a shared store's connection); call once the payments in flight were drained. */
  close(): Promise<void>;
}

export type SharedStateOverrides = Partial<Omit<SharedState, 'config' | 'api' | 'payments' | 'secrets'>> & {
  api?: DodoApi;
  /** Where spend budgets are reserved (Redis in hosted-state.ts); in memory by default. */
  budgets?: BudgetStore;
};

/** Keys in this process's memory unless `overrides` bring a shared store (see src/server/hosted-state.ts). */
export function createSharedState(config: Config, overrides: SharedStateOverrides = {}): SharedState {
  let api = overrides.api;
  const { policyFile } = config;
  const now = overrides.now ?? Date.now;
  return {
    config,
    api: () => (api ??= createDodoApi({ ...config, apiKey: config.apiKey ?? '', serverVersion: SERVER_VERSION })),
    idempotency: overrides.idempotency ?? new MemoryIdempotencyStore(),
    logger: overrides.logger ?? silentLogger,
    sleep: overrides.sleep ?? abortableSleep,
    now,
    secrets: secretForms(config),
    payments: new InFlightPayments(),
    // Read here, at start: a missing or bad file is a ConfigError (exit 2).
    spend:
      overrides.spend ??
      new SpendPolicy({
        environment: config.environment,
        ...(policyFile !== undefined && { read: () => readPolicyFile(policyFile, ENVIRONMENT_VARIABLES.policyFile.name) }),
        budgets: overrides.budgets ?? new MemoryBudgetStore(),
        now,
      }),
    ...(overrides.idempotencyHealth && { idempotencyHealth: overrides.idempotencyHealth }),
    close: overrides.close ?? (() => Promise.resolve()),
  };
}
