import type { LogLevel } from '../config/config-values.js';
import { redactSecrets } from './redact.js';

export type LogFields = Record<string, string | number | boolean | undefined>;

/** One JSON line per event on stderr (stdout carries JSON-RPC only). Callers pass no PII. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  now?: () => Date;
  /** Values that must never appear in a log line, whatever a caller passes. */
  secrets?: readonly (string | undefined)[];
}

const SEVERITY: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, off: 3 };

export function createLogger({
  level = 'info',
  write = (line) => process.stderr.write(line),
  now = () => new Date(),
  secrets = [],
}: LoggerOptions = {}): Logger {
  const at =
    (eventLevel: Exclude<LogLevel, 'off'>) =>
    (event: string, fields: LogFields = {}) => {
      if (SEVERITY[eventLevel] < SEVERITY[level]) return;
      write(`${redactSecrets(JSON.stringify({ time: now().toISOString(), level: eventLevel, event, ...fields }), secrets)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn') };
}

export const silentLogger: Logger = createLogger({ level: 'off' });

/** The same logger, adding `fields` to every line (e.g. who is calling). */
export function withFields(logger: Logger, fields: LogFields): Logger {
  return {
    debug: (event, more) => logger.debug(event, { ...fields, ...more }),
    info: (event, more) => logger.info(event, { ...fields, ...more }),
    warn: (event, more) => logger.warn(event, { ...fields, ...more }),
  };
}
