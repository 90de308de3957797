export const ENVIRONMENTS = ['test_mode', 'live_mode'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const BASE_URLS: Record<Environment, string> = {
  test_mode: 'https://test.dodopayments.com',
  live_mode: 'https://live.dodopayments.com',
};

export const DEFAULT_TIMEOUT_MS = 30_000;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'off'] as const;
export const CONFIRM_MODES = ['auto', 'never'] as const;
export type ConfirmMode = (typeof CONFIRM_MODES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Bearer token; undefined when not configured (the server still starts and lists its tool). */
  apiKey: string | undefined;
  environment: Environment;
  /** DODO_PAYMENTS_BASE_URL when set, otherwise the environment's URL. */
  baseUrl: string;
  /** Bound on each HTTP attempt. */
  timeoutMs: number;
  logLevel: LogLevel;
  /** `auto`: in live_mode, ask the user to confirm each payment when the client supports it. */
  confirm: ConfirmMode;
  /** Operator guardrail: when set, only these product ids may be charged. */
  allowedProductIds?: readonly string[];
  /** Operator guardrail: when set, a return_url must be on one of these hosts (lower case). */
  allowedReturnUrlHosts?: readonly string[];
}

/** A configuration the server refuses to start with; its message is one line for stderr. */
export class ConfigError extends Error {}

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/**
 * Reads a variable, treating empty values and unfilled Claude Desktop placeholders
 * (the literal `${user_config.name}`) as unset.
 */
export function readVariable(env: EnvironmentVariables, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value || /^\$\{user_config\.[^}]*\}$/.test(value)) return undefined;
  return value;
}

export function loadConfig(env: EnvironmentVariables): Config {
  const environment = readChoice(env, 'DODO_PAYMENTS_ENVIRONMENT', ENVIRONMENTS, 'test_mode');
  return {
    apiKey: readVariable(env, 'DODO_PAYMENTS_API_KEY'),
    environment,
    baseUrl: readBaseUrl(env) ?? BASE_URLS[environment],
    timeoutMs: readTimeout(env),
    logLevel: readChoice(env, 'DODO_PAYMENTS_LOG', LOG_LEVELS, 'info'),
    confirm: readChoice(env, 'DODO_PAYMENTS_CONFIRM', CONFIRM_MODES, 'auto'),
    allowedProductIds: readList(env, 'DODO_PAYMENTS_ALLOWED_PRODUCT_IDS'),
    allowedReturnUrlHosts: readList(env, 'DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS')?.map((host) => host.toLowerCase()),
  };
}

function readChoice<T extends string>(env: EnvironmentVariables, name: string, choices: readonly T[], fallback: T): T {
  const value = readVariable(env, name);
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be one of ${choices.join(', ')} (got ${JSON.stringify(value)})`);
}

/** A comma-separated list; undefined (no guardrail) when unset or empty. */
function readList(env: EnvironmentVariables, name: string): string[] | undefined {
  const items = readVariable(env, name)
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

function readBaseUrl(env: EnvironmentVariables): string | undefined {
  const value = readVariable(env, 'DODO_PAYMENTS_BASE_URL');
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
    throw new ConfigError(`DODO_PAYMENTS_BASE_URL must be an http(s) URL (got ${JSON.stringify(value)})`);
  }
  return value.replace(/\/+$/, '');
}

function readTimeout(env: EnvironmentVariables): number {
  const value = readVariable(env, 'DODO_PAYMENTS_TIMEOUT_MS');
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const timeoutMs = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError(
      `DODO_PAYMENTS_TIMEOUT_MS must be a positive whole number of milliseconds (got ${JSON.stringify(value)})`,
    );
  }
  return timeoutMs;
}
