import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.js';
import { redactSecrets } from '../src/logging/redact.js';

describe('redactSecrets', () => {
  it('removes every occurrence of each secret and ignores unset ones', () => {
    expect(redactSecrets('key sk_1 and again sk_1; other', ['sk_1', undefined, ''])).toBe('key [REDACTED] and again [REDACTED]; other');
  });
});

describe('createLogger', () => {
  it('writes one JSON line per event with time, level and fields, never the secret', () => {
    const lines: string[] = [];
    const logger = createLogger({
      write: (line) => lines.push(line),
      now: () => new Date('2026-01-02T03:04:05.000Z'),
      secrets: ['sk_secret'],
    });
    logger.info('tool_call', { outcome: 'created', note: 'echo sk_secret' });
    logger.warn('api_key_missing');
    expect(lines).toEqual([
      '{"time":"2026-01-02T03:04:05.000Z","level":"info","event":"tool_call","outcome":"created","note":"echo [REDACTED]"}\n',
      '{"time":"2026-01-02T03:04:05.000Z","level":"warn","event":"api_key_missing"}\n',
    ]);
  });
});

describe('log levels', () => {
  const logged = (level: 'debug' | 'info' | 'warn' | 'off') => {
    const events: string[] = [];
    const logger = createLogger({ level, write: (line) => events.push(JSON.parse(line).event) });
    logger.debug('a_debug');
    logger.info('an_info');
    logger.warn('a_warn');
    return events;
  };

  it('writes the events at the configured level and above, and nothing when off', () => {
    expect(logged('debug')).toEqual(['a_debug', 'an_info', 'a_warn']);
    expect(logged('info')).toEqual(['an_info', 'a_warn']);
    expect(logged('warn')).toEqual(['a_warn']);
    expect(logged('off')).toEqual([]);
  });
});
