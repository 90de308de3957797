export const ENVIRONMENTS = ['test_mode', 'live_mode'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const BASE_URLS: Record<Environment, string> = {
  test_mode: 'https://test.dodopayments.com',
  live_mode: 'https://live.dodopayments.com',
};

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Ten minutes: far below what a timer can hold (2^31−1 ms), and longer than any sane wait for one request. */
export const MAX_TIMEOUT_MS = 600_000;
export const DEFAULT_RECONCILE_MS = 20_000;
export const MAX_RECONCILE_MS = 600_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;
export const MAX_SHUTDOWN_GRACE_MS = 60_000;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'off'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const CONFIRM_MODES = ['auto', 'never'] as const;

export const TRANSPORTS = ['stdio', 'http'] as const;

// Hosted mode (DODO_PAYMENTS_MCP_TRANSPORT=http).
export const DEFAULT_HTTP_HOST = '127.0.0.1';
export const DEFAULT_HTTP_PORT = 8080;
export const AUTH_MODES = ['none', 'required'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
/** The least DODO_PAYMENTS_MCP_STATE_SECRET may hold, in UTF-8 bytes: 256 bits, beyond guessing. */
export const MIN_STATE_SECRET_BYTES = 32;

/** A configuration the server refuses to start with; its message is one line for stderr. */
export class ConfigError extends Error {
  // Named, not only typed: hosted mode runs from its own bundle (dist/hosted.js), whose copy of this class differs.
  override readonly name = 'ConfigError';
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof Error && error.name === 'ConfigError';
}
