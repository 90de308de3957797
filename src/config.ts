export const ENVIRONMENTS = ['test_mode', 'live_mode'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const BASE_URLS: Record<Environment, string> = {
  test_mode: 'https://test.dodopayments.com',
  live_mode: 'https://live.dodopayments.com',
};

export const DEFAULT_TIMEOUT_MS = 30_000;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'off'] as const;
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
  const environment = readEnvironment(env);
  return {
    apiKey: readVariable(env, 'DODO_PAYMENTS_API_KEY'),
    environment,
    baseUrl: readBaseUrl(env) ?? BASE_URLS[environment],
    timeoutMs: readTimeout(env),
    logLevel: readLogLevel(env),
    allowedProductIds: readList(env, 'DODO_PAYMENTS_ALLOWED_PRODUCT_IDS'),
    allowedReturnUrlHosts: readList(env, 'DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS')?.map((host) => host.toLowerCase()),
  };
}

function readLogLevel(env: EnvironmentVariables): LogLevel {
  const value = readVariable(env, 'DODO_PAYMENTS_LOG');
  if (value === undefined) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError(`DODO_PAYMENTS_LOG must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`);
}

/** A comma-separated list; undefined (no guardrail) when unset or empty. */
function readList(env: EnvironmentVariables, name: string): string[] | undefined {
  const items = readVariable(env, name)
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

function readEnvironment(env: EnvironmentVariables): Environment {
  const value = readVariable(env, 'DODO_PAYMENTS_ENVIRONMENT');
  if (value === undefined) return 'test_mode';
  if ((ENVIRONMENTS as readonly string[]).includes(value)) return value as Environment;
  throw new ConfigError(
    `DODO_PAYMENTS_ENVIRONMENT must be test_mode or live_mode (got ${JSON.stringify(value)})`,
  );
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
