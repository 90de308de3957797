import { describe, expect, it } from 'vitest';
import { limitsFor } from '../src/payments/policy/limits.js';
import { policyProblems, readPolicyFile } from '../src/payments/policy/policy-file.js';
import { temporaryFile } from './support/temporary-files.js';

const ISSUE_EXAMPLE = `{
  "live_mode_paused": false,
  "limits": {
    "default": { "max_payment": { "USD": 50000 }, "per_day": { "USD": 200000 }, "payments_per_hour": 60, "saved_payment_methods": false },
    "n8n":     { "max_payment": { "USD": 10000, "EUR": 9000 }, "per_day": { "USD": 30000 }, "payments_per_hour": 10 }
  }
}
`;

const problemsOf = (text: string) => {
  const checked = policyProblems(text);
  return checked.ok ? [] : checked.problems;
};

describe('the policy file', () => {
  it('reads the example of the issue', () => {
    const checked = policyProblems(ISSUE_EXAMPLE);
    expect(checked).toEqual({
      ok: true,
      policy: {
        live_mode_paused: false,
        limits: {
          default: { max_payment: { USD: 50000 }, per_day: { USD: 200000 }, payments_per_hour: 60, saved_payment_methods: false },
          n8n: { max_payment: { USD: 10000, EUR: 9000 }, per_day: { USD: 30000 }, payments_per_hour: 10 },
        },
      },
    });
  });

  it('reads an empty object as no limits and not paused', () => {
    expect(policyProblems('{}')).toEqual({ ok: true, policy: { live_mode_paused: false, limits: {} } });
  });

  it.each([
    [
      '{\n  "limits": {\n    "n8n": { "max_payment": { "USDD": 100 } }\n  }\n}',
      'line 3: limits.n8n.max_payment.USDD: "USDD" is not an ISO 4217 currency code; did you mean USD?',
    ],
    [
      '{\n  "limits": {\n    "n8n": {\n      "per_day": { "USD": -5 }\n    }\n  }\n}',
      'line 4: limits.n8n.per_day.USD: must be a whole number ≥ 0 in the currency’s smallest unit',
    ],
    [
      '{\n  "limits": {\n    "n8n": {\n      "per_day": { "USD": 10.5 }\n    }\n  }\n}',
      'line 4: limits.n8n.per_day.USD: must be a whole number ≥ 0 in the currency’s smallest unit',
    ],
    [
      '{\n  "limits": {\n    "n8n": {\n      "payments_per_day": 5\n    }\n  }\n}',
      'line 4: limits.n8n.payments_per_day: unknown field; remove it',
    ],
    ['{\n  "live_mode_paused": "yes"\n}', 'line 2: live_mode_paused: must be true or false'],
    [
      '{\n  "limits": {\n    "n8n": { "saved_payment_methods": 1 }\n  }\n}',
      'line 3: limits.n8n.saved_payment_methods: must be true or false',
    ],
    [
      '{\n  "limits": {\n    "n8n": { "payments_per_hour": 2.5 }\n  }\n}',
      'line 3: limits.n8n.payments_per_hour: must be a whole number ≥ 0',
    ],
    ['[]', 'line 1: the file: must be an object'],
    // A member named "__proto__" stays a member, so it is refused as unknown rather than silently becoming a prototype.
    [
      '{\n  "limits": {\n    "n8n": {\n      "__proto__": { "payments_per_hour": 0 }\n    }\n  }\n}',
      'line 4: limits.n8n.__proto__: unknown field; remove it',
    ],
  ])('refuses a bad rule naming its line and the rule: %j', (text, problem) => {
    expect(problemsOf(text)).toEqual([problem]);
  });

  it.each([
    ['{\n  "limits": {\n    "n8n": {},\n  }\n}', /^line 4: not valid JSON: expected a double-quoted property name$/],
    ['{\n  "limits": {\n    "n8n": {},\n    "n8n": {}\n  }\n}', /^line 4: not valid JSON: "n8n" appears twice in the same object$/],
    ['{\n  "limits": [1,2,]\n}', /^line 2: not valid JSON: expected a JSON value/],
    ['{\n  "limits": {', /^line 2: not valid JSON: unexpected end of file/],
    ['{}\n\nx', /^line 3: not valid JSON: unexpected text after the end/],
    ['{"a\u0001": 1}', /^line 1: not valid JSON: "a." is not a valid JSON string$/],
  ])('refuses text that is not JSON, naming the line: %j', (text, problem) => {
    const [first, ...rest] = problemsOf(text);
    expect(first).toMatch(problem);
    expect(rest).toEqual([]);
  });

  it('is a ConfigError naming the variable, the file, the line and the rule; a missing file too', () => {
    const path = temporaryFile('policy.json', '{\n  "limits": { "n8n": { "max_payment": { "USD": "100" } } }\n}');
    expect(() => readPolicyFile(path, 'DODO_PAYMENTS_POLICY_FILE')).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: `DODO_PAYMENTS_POLICY_FILE: ${path}: line 2: limits.n8n.max_payment.USD: must be a whole number ≥ 0 in the currency’s smallest unit`,
      }),
    );
    const missing = temporaryFile('missing.json');
    expect(() => readPolicyFile(missing, 'DODO_PAYMENTS_POLICY_FILE')).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: `DODO_PAYMENTS_POLICY_FILE: cannot read ${missing} (ENOENT)`,
      }),
    );
  });
});

describe('a credential’s limits', () => {
  const checked = policyProblems(ISSUE_EXAMPLE);
  const policy = checked.ok ? checked.policy : undefined;

  it('are its own entry over default, field by field', () => {
    expect(limitsFor(policy, 'n8n', 'live_mode')).toEqual({
      credential: 'n8n',
      max_payment: { USD: 10000, EUR: 9000 },
      per_day: { USD: 30000 },
      payments_per_hour: 10,
      saved_payment_methods: false,
      paused: false,
    });
    expect(limitsFor(policy, 'oauth:claude', 'live_mode')).toMatchObject({
      credential: 'oauth:claude',
      max_payment: { USD: 50000 },
      payments_per_hour: 60,
    });
  });

  it('allow saved payment methods by default in test mode only, with or without a policy', () => {
    expect(limitsFor(undefined, 'stdio', 'test_mode').saved_payment_methods).toBe(true);
    expect(limitsFor(undefined, 'stdio', 'live_mode').saved_payment_methods).toBe(false);
    expect(limitsFor({ live_mode_paused: false, limits: { n8n: {} } }, 'n8n', 'test_mode').saved_payment_methods).toBe(true);
    expect(limitsFor({ live_mode_paused: false, limits: { n8n: {} } }, 'n8n', 'live_mode').saved_payment_methods).toBe(false);
    expect(
      limitsFor({ live_mode_paused: false, limits: { n8n: { saved_payment_methods: true } } }, 'n8n', 'live_mode').saved_payment_methods,
    ).toBe(true);
  });

  it('are paused only in live mode', () => {
    const paused = { live_mode_paused: true, limits: {} };
    expect(limitsFor(paused, 'stdio', 'live_mode').paused).toBe(true);
    expect(limitsFor(paused, 'stdio', 'test_mode').paused).toBe(false);
  });
});
