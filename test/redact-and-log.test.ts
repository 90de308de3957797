import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.js';
import { containsSecret, displayUrl, redactDeep, redactSecrets, secretForms } from '../src/logging/redact.js';

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

describe('secretForms', () => {
  const key = 'sk_test_a+b/c=d&e"x\\y~9';
  const forms = secretForms({ apiKey: key });
  const redact = (text: string) => redactSecrets(text, forms);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const b64url = (text: string) => Buffer.from(text).toString('base64url');

  it.each([
    ['plain', key],
    ['URL-encoded', encodeURIComponent(key)],
    ['JSON-escaped', JSON.stringify(key)],
    ['JSON-escaped twice', JSON.stringify(JSON.stringify(key))],
    ['hex', Buffer.from(key).toString('hex')],
    ['HEX', Buffer.from(key).toString('hex').toUpperCase()],
    ['base64', b64(key)],
    ['base64 of Bearer <key>', b64(`Bearer ${key}`)],
    ['base64url of Bearer <key>', b64url(`Bearer ${key}`)],
    ['base64 of user:<key> (Basic)', b64(`user:${key}`)],
    ['base64 inside a longer message', b64(`{"auth":"Bearer ${key}","n":1}`)],
    ['base64url inside a longer message, other alignment', b64url(`xx{"k":"${key}"}`)],
  ])('removes the key %s', (_name, encoded) => {
    const text = `answer: ${encoded} end`;
    const redacted = redact(text);
    expect(redacted).toContain('[REDACTED]');
    expect(redacted).not.toContain(encoded);
    for (const form of [key, encodeURIComponent(key), b64(key), b64url(key)]) expect(redacted).not.toContain(form);
  });

  it('removes the state secret in the same forms as the key', () => {
    const stateSecret = 'state-secret-0123456789abcdef-0123456789';
    const stateForms = secretForms({ apiKey: key, stateSecret });
    for (const encoded of [stateSecret, Buffer.from(stateSecret).toString('hex'), b64(stateSecret), b64url(`k:${stateSecret}`)]) {
      const redacted = redactSecrets(`answer: ${encoded} end`, stateForms);
      expect(redacted).toContain('[REDACTED]');
      expect(redacted).not.toContain(encoded);
    }
    expect(redactSecrets(key, stateForms)).toBe('[REDACTED]');
  });

  it('leaves ordinary text, ids and links whole', () => {
    const text = 'payment_link https://checkout.example/pay_123?x=1 prod_book 4900 USD aGVsbG8gd29ybGQ= 68656c6c6f';
    expect(redact(text)).toBe(text);
  });

  it('never uses a key shorter than 8 characters, which would cut words apart', () => {
    expect(secretForms({ apiKey: 'k' })).toEqual([]);
    expect(redactSecrets('payment_link prod_book', secretForms({ apiKey: 'k' }))).toBe('payment_link prod_book');
  });

  it("covers the base URL's userinfo and secret query parameters, raw and decoded", () => {
    const urlForms = secretForms({ baseUrl: 'http://proxy-user:s3cr%40t-pass@proxy.local:8080/dodo?token=tok_abcdefgh&region=eu' });
    const text = 'at http://proxy-user:s3cr%40t-pass@proxy.local then //proxy-user:s3cr@t-pass@ and token=tok_abcdefgh, region=eu';
    const redacted = redactSecrets(text, urlForms);
    for (const secret of ['s3cr%40t-pass', 's3cr@t-pass', 'tok_abcdefgh']) expect(redacted).not.toContain(secret);
    expect(redacted).toContain('region=eu');
  });
});

describe('displayUrl', () => {
  it.each([
    ['http://user:pass@proxy.local:8080/v1', 'http://[REDACTED]@proxy.local:8080/v1'],
    ['https://proxy.local/?api_key=abc&region=eu&token=x', 'https://proxy.local/?api_key=[REDACTED]&region=eu&token=[REDACTED]'],
    ['https://test.dodopayments.com', 'https://test.dodopayments.com'],
  ])('shows %s as %s', (url, shown) => {
    expect(displayUrl(url)).toBe(shown);
  });
});

describe('redactDeep', () => {
  it('redacts strings and keys at any depth, leaving other values and the structure alone', () => {
    const secrets = secretForms({ apiKey: 'sk_test_deep_secret' });
    expect(redactDeep({ a: ['x sk_test_deep_secret', 1, null, { sk_test_deep_secret: true }] }, secrets)).toEqual({
      a: ['x [REDACTED]', 1, null, { '[REDACTED]': true }],
    });
  });
});

describe('containsSecret', () => {
  const secrets = ['sk_secret', 'c2tfc2VjcmV0'];

  it.each([
    ['a string', 'Bearer sk_secret'],
    ['a value deep in objects and arrays', { content: [{ type: 'text', text: 'ok' }, { nested: [1, { auth: 'x c2tfc2VjcmV0' }] }] }],
    ['an object key', { metadata: { 'sk_secret-header': 'value' } }],
  ])('finds a secret in %s', (_, value) => {
    expect(containsSecret(value, secrets)).toBe(true);
  });

  it('finds none in a result without one, whatever its leaves', () => {
    expect(containsSecret({ content: [{ type: 'text', text: 'sk_ secret' }], n: 1, ok: true, none: null, list: [] }, secrets)).toBe(false);
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
