export const ENVIRONMENTS = ['test_mode', 'live_mode'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const BASE_URLS: Record<Environment, string> = {
  test_mode: 'https://test.dodopayments.com',
  live_mode: 'https://live.dodopayments.com',
};

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface Config {
  /** Bearer token; undefined when not configured (the server still starts and lists its tool). */
  apiKey: string | undefined;
  environment: Environment;
  /** DODO_PAYMENTS_BASE_URL when set, otherwise the environment's URL. */
  baseUrl: string;
  /** Bound on each HTTP attempt. */
  timeoutMs: number;
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
  };
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
