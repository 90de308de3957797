import { describe, expect, it } from 'vitest';
import { authenticateStaticToken } from '../src/auth/static-tokens.js';
import { ConfigError } from '../src/config/config-values.js';
import { ENVIRONMENT_VARIABLES } from '../src/config/environment-variables.js';

const CREATE_TOKEN = `${'c'.repeat(28)}Ab9_`;
const READ_TOKEN = `${'r'.repeat(30)}+/`;
const VALUE = `n8n-prod:create:${CREATE_TOKEN}, dashboard:read:${READ_TOKEN}`;

/** DODO_PAYMENTS_MCP_TOKENS read by its row of the table. */
const parseStaticTokens = (value: string | undefined) =>
  ENVIRONMENT_VARIABLES.httpTokens.parse(value, ENVIRONMENT_VARIABLES.httpTokens.name);

function parseError(value: string): string {
  try {
    parseStaticTokens(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected DODO_PAYMENTS_MCP_TOKENS to be refused');
}

describe('DODO_PAYMENTS_MCP_TOKENS', () => {
  it('reads label:scope:token entries and keeps only a digest of each token for authentication', () => {
    const tokens = parseStaticTokens(VALUE)?.tokens;
    expect(tokens?.map(({ label, access }) => ({ label, access }))).toEqual([
      { label: 'n8n-prod', access: 'create' },
      { label: 'dashboard', access: 'read' },
    ]);
    expect(JSON.stringify(tokens)).not.toContain(CREATE_TOKEN);
  });

  it('is undefined when the variable is unset', () => {
    expect(parseStaticTokens(undefined)).toBeUndefined();
  });

  it.each([
    ['', /DODO_PAYMENTS_MCP_TOKENS is set but holds no entries/],
    [' , ', /holds no entries/],
    [`ops:create:${CREATE_TOKEN},`, /entry 2 is not label:scope:token/],
    [CREATE_TOKEN, /entry 1 is not label:scope:token/],
    [`ops:admin:${CREATE_TOKEN}`, /entry 1 \(label "ops"\) has an unknown scope; allowed: create, read/],
    ['ops:read:short-token', /entry 1 \(label "ops"\) has an invalid token; a token is at least 32 characters/],
    [`ops:read:${'x'.repeat(31)} y`, /entry 1 \(label "ops"\) has an invalid token/],
    [`:read:${CREATE_TOKEN}`, /entry 1 has an empty or invalid label/],
    [`ops:read:${CREATE_TOKEN},ops:create:${READ_TOKEN}`, /entry 2 \(label "ops"\) repeats the label of entry 1/],
    [`a:read:${CREATE_TOKEN},b:create:${CREATE_TOKEN}`, /entry 2 \(label "b"\) repeats the token of entry 1 \(label "a"\)/],
  ])('refuses %j', (value, message) => {
    expect(parseError(value)).toMatch(message);
  });

  it('never prints a token, even when an entry is written token first', () => {
    for (const value of [
      `${CREATE_TOKEN}:read:ops`,
      `ops:${CREATE_TOKEN}`,
      `ops:admin:${CREATE_TOKEN}`,
      `ops:read:${CREATE_TOKEN.slice(0, 20)}`,
    ]) {
      const message = parseError(value);
      expect(message).toMatch(/^DODO_PAYMENTS_MCP_TOKENS entry 1/);
      expect(message).not.toContain(CREATE_TOKEN.slice(0, 20));
      expect(message).not.toContain('\n');
    }
  });
});

describe('authenticateStaticToken', () => {
  const tokens = parseStaticTokens(VALUE)?.tokens ?? [];

  it('maps a configured bearer token to its label and access', () => {
    expect(authenticateStaticToken(tokens, `Bearer ${CREATE_TOKEN}`)).toEqual({ kind: 'token', access: 'create', subject: 'n8n-prod' });
    expect(authenticateStaticToken(tokens, `bearer ${READ_TOKEN}`)).toEqual({ kind: 'token', access: 'read', subject: 'dashboard' });
    expect(authenticateStaticToken(tokens, `BEARER  ${READ_TOKEN}`)?.subject).toBe('dashboard');
  });

  it.each([
    ['no header', undefined],
    ['an unknown token', `Bearer ${'z'.repeat(40)}`],
    ['a prefix of a token', `Bearer ${CREATE_TOKEN.slice(0, -1)}`],
    ['another scheme', `Basic ${CREATE_TOKEN}`],
    ['the token without a scheme', CREATE_TOKEN],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s', (_case, header) => {
    expect(authenticateStaticToken(tokens, header)).toBeUndefined();
  });
});

describe('the token texts', () => {
  it("gives each entry's token, so the logger can remove it wherever it appears", () => {
    expect(parseStaticTokens(`n8n:create:${'a'.repeat(32)}, ci:read:${'b'.repeat(31)}==`)?.secrets).toEqual([
      'a'.repeat(32),
      `${'b'.repeat(31)}==`,
    ]);
    expect(parseStaticTokens(undefined)?.secrets).toBeUndefined();
  });
});
