import { redactSecrets } from './redact.js';

export type LogFields = Record<string, string | number | boolean | undefined>;

/** One JSON line per event on stderr (stdout carries JSON-RPC only). Callers pass no PII. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  write?: (line: string) => void;
  now?: () => Date;
  /** Values that must never appear in a log line, whatever a caller passes. */
  secrets?: readonly (string | undefined)[];
}

export function createLogger({
  write = (line) => process.stderr.write(line),
  now = () => new Date(),
  secrets = [],
}: LoggerOptions = {}): Logger {
  const emit = (level: string, event: string, fields: LogFields = {}) =>
    write(redactSecrets(JSON.stringify({ time: now().toISOString(), level, event, ...fields }), secrets) + '\n');
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {} };
