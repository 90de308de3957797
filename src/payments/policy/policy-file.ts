import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../config/config-values.js';
import { CURRENCIES } from '../../dodo/dodo-enums.js';
import { onFirstUse } from '../../on-first-use.js';
import { allowedString } from '../../schema/allowed-values.js';
import { describeIssue } from '../../schema/argument-validation.js';
import { JsonSyntaxError, parseLocatedJson } from './located-json.js';

/** The limit set that applies to every credential without an entry of its own. */
export const DEFAULT_LIMITS = 'default';

// Built on first use: only a server with a policy file reads one.
const schemas = onFirstUse(() => {
  const currency = allowedString({ values: CURRENCIES, kind: 'an ISO 4217 currency code', examples: ['USD', 'EUR', 'INR'] });
  const smallestUnits = z.int({ error: 'must be a whole number ≥ 0 in the currency’s smallest unit' }).min(0).max(Number.MAX_SAFE_INTEGER);
  // Looked up by the currency of a payment's prices, which may be any.
  const perCurrency = z.record(currency, smallestUnits).transform((amounts): Partial<Record<string, number>> => amounts);

  const limitSet = z.strictObject({
    max_payment: perCurrency.optional(),
    per_day: perCurrency.optional(),
    payments_per_hour: z.int({ error: 'must be a whole number ≥ 0' }).min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    saved_payment_methods: z.boolean().optional(),
  });

  const policy = z.strictObject({
    live_mode_paused: z.boolean().default(false),
    limits: z.record(z.string().min(1, { error: 'a credential name must not be empty' }), limitSet).default({}),
  });
  return { limitSet, policy };
});

/** One credential's rules; an absent rule does not limit (see limits.ts for how `default` fills it in). */
export type LimitSet = z.output<ReturnType<typeof schemas>['limitSet']>;
/** The operator's spend policy (DODO_PAYMENTS_POLICY_FILE), validated. */
export type Policy = z.output<ReturnType<typeof schemas>['policy']>;

/** Every problem of a policy text, one per line and each naming its line: `line 7: limits.n8n.per_day.USDD: …`. */
export function policyProblems(text: string): { ok: true; policy: Policy } | { ok: false; problems: string[] } {
  let located: ReturnType<typeof parseLocatedJson>;
  try {
    located = parseLocatedJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, problems: [`line ${error.line}: not valid JSON: ${error.message}`] };
    throw error;
  }
  const parsed = schemas().policy.safeParse(located.value, { reportInput: true });
  if (parsed.success) return { ok: true, policy: parsed.data };
  const problems = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `line ${located.lineOf([...issue.path, key])}: ${describeIssue({ ...issue, keys: [key] }).join('; ')}`)
      : [`line ${located.lineOf(issue.path)}: ${describeIssue(issue).join('; ')}`],
  );
  // The field path of the whole document reads `arguments` (a tool's wording); here it is the file.
  return { ok: false, problems: problems.map((problem) => problem.replace(/^(line \d+: )arguments:/, '$1the file:')) };
}

/** Reads and validates the policy file; anything wrong (missing, unreadable, invalid) is a ConfigError naming the line and rule. */
export function readPolicyFile(path: string, variableName: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${variableName}: cannot read ${path} (${reason})`);
  }
  const checked = policyProblems(text);
  if (!checked.ok) throw new ConfigError(`${variableName}: ${path}: ${checked.problems.join('; ')}`);
  return checked.policy;
}
