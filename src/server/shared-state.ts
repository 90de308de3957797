import type { Config } from '../config/config.js';
import { ENVIRONMENT_VARIABLES } from '../config/environment-variables.js';
import { createDodoApi, type DodoApi } from '../dodo/api-client.js';
import { abortableSleep, realTimeout } from '../dodo/retry-policy.js';
import { MemoryIdempotencyStore } from '../idempotency/memory-store.js';
import { silentLogger } from '../logging/logger.js';
import { secretForms } from '../logging/redact.js';
import { onFirstUse } from '../on-first-use.js';
import { InFlightPayments } from '../payments/in-flight-payments.js';
import type { BudgetStore } from '../payments/policy/budget-store.js';
import { MemoryBudgetStore } from '../payments/policy/memory-budget-store.js';
import { readPolicyFile } from '../payments/policy/policy-file.js';
import { SpendPolicy } from '../payments/policy/spend-policy.js';
import type { ToolContext } from '../tools/tool.js';
import { SERVER_VERSION } from '../version.js';
import { type ConfirmationStates, confirmationStates } from './user-confirmation.js';

/**
 * What outlives a connection: created once per process by the entry point and given to every server
 * instance, so a transport that builds a server per request keeps "same key → one POST" and one client.
 */
export interface SharedState extends Omit<ToolContext, 'signal' | 'confirmer' | 'credential'> {
  /** Every form of the API key (and base URL credentials) a result must not carry; computed once, not per server. */
  secrets: readonly string[];
  /** What the idempotency store is, whether it answers and what survives a restart: for the start line and /healthz. */
  idempotencyStatus: () => Promise<IdempotencyStatus>;
  /** Signs and checks the state of 2026-07-28 live-payment confirmations (DODO_PAYMENTS_MCP_STATE_SECRET). */
  confirmationStates: ConfirmationStates;
  /** Releases what the state holds (a shared store's connection); call once the payments in flight were drained. */
  close(): Promise<void>;
}

export interface IdempotencyStatus {
  store: 'memory' | 'redis';
  reachable: boolean;
  /** `process`: kept in this process's memory, lost when it stops; otherwise what Redis says (see RedisDurability). */
  durability: 'process' | 'aof' | 'snapshots' | 'none' | 'unknown';
}

const IN_MEMORY: IdempotencyStatus = { store: 'memory', reachable: true, durability: 'process' };

export type SharedStateOverrides = Partial<Omit<SharedState, 'config' | 'api' | 'payments' | 'secrets'>> & {
  api?: DodoApi;
  /** Where spend budgets are reserved (Redis in hosted-state.ts); in memory by default. */
  budgets?: BudgetStore;
};

/** Keys in this process's memory unless `overrides` bring a shared store (see src/server/hosted-state.ts). */
export function createSharedState(config: Config, overrides: SharedStateOverrides = {}): SharedState {
  const { policyFile } = config;
  const now = overrides.now ?? Date.now;
  return {
    config,
    api: onFirstUse(() => overrides.api ?? createDodoApi({ ...config, apiKey: config.apiKey ?? '', serverVersion: SERVER_VERSION })),
    idempotency: overrides.idempotency ?? new MemoryIdempotencyStore({ now: overrides.now ?? Date.now }),
    logger: overrides.logger ?? silentLogger,
    sleep: overrides.sleep ?? abortableSleep,
    now,
    timeout: overrides.timeout ?? realTimeout,
    secrets: secretForms(config),
    confirmationStates: overrides.confirmationStates ?? confirmationStates(config.stateSecret),
    payments: new InFlightPayments(),
    idempotencyStatus: overrides.idempotencyStatus ?? (() => Promise.resolve(IN_MEMORY)),
    // Read here, at start: a missing or bad file is a ConfigError (exit 2).
    spend:
      overrides.spend ??
      new SpendPolicy({
        environment: config.environment,
        ...(policyFile !== undefined && { read: () => readPolicyFile(policyFile, ENVIRONMENT_VARIABLES.policyFile.name) }),
        budgets: overrides.budgets ?? new MemoryBudgetStore(),
        now,
      }),
    close: overrides.close ?? (() => Promise.resolve()),
  };
}
