import type { z } from 'zod';
import { setField } from './own-field.js';

export type Validation<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Some clients send nested objects and arrays as JSON-encoded strings. A string argument
 * that parses to an object or array is replaced by what it parses to; anything else is
 * left for the schema to reject with a message naming the field.
 */
export function decodeJsonStringArguments(args: unknown): unknown {
  if (!isPlainObject(args)) return args;
  const decoded: Record<string, unknown> = {};
  for (const key of Object.keys(args)) {
    const parsed = parseJsonContainer(args[key]);
    setField(decoded, key, Array.isArray(parsed) ? parsed.map(parseJsonContainer) : parsed);
  }
  return decoded;
}

function parseJsonContainer(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? parsed : value;
  } catch {
    return value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `null` means absent, at every depth: strict-mode clients (OpenAI, LangChain) make every property required
 * and nullable, so the model sends `null` for a field it leaves out. Array elements are kept, so a `null` item
 * is still refused by the schema.
 */
function withoutNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (!isPlainObject(value)) return value;
  const kept: Record<string, unknown> = {};
  // setField keeps a `__proto__` key a field, so the schema can refuse it.
  for (const key of Object.keys(value)) if (value[key] !== null) setField(kept, key, withoutNullFields(value[key]));
  return kept;
}

/**
 * No tool's arguments nest more than a few levels; the walks below recurse, so a value nested far deeper (200,000
 * levels fit in one request) would overflow the stack. It is refused first, by a walk that stops at that depth.
 */
export const MAX_ARGUMENT_DEPTH = 32;

/**
 * The path of the first value nested deeper than MAX_ARGUMENT_DEPTH, or undefined when there is none. Depth-first
 * on one shared path, which is copied only when it is the answer: this runs on every call.
 */
function tooDeep(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (path.length >= MAX_ARGUMENT_DEPTH) return [...path];
  const record = value as Record<string, unknown>;
  const keys = Array.isArray(value) ? value.keys() : Object.keys(value);
  for (const key of keys) {
    path.push(key);
    const found = tooDeep(record[key], path);
    path.pop();
    if (found !== undefined) return found;
  }
  return undefined;
}

export function validateArguments<S extends z.ZodType>(schema: S, args: unknown): Validation<z.output<S>> {
  const decoded = decodeJsonStringArguments(args ?? {});
  const deepPath = tooDeep(decoded);
  if (deepPath !== undefined) {
    return {
      ok: false,
      problems: [`${fieldPath(deepPath)}: nested more than ${MAX_ARGUMENT_DEPTH} levels deep; no field of this tool nests so deep`],
    };
  }
  const result = schema.safeParse(withoutNullFields(decoded), { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.flatMap(describeIssue) };
}

/**
 * `billing.country`, `product_cart[0].quantity`, `metadata["my key"]`; keys that are not plain
 * identifiers are quoted so every line names its field unambiguously. The root is `arguments`.
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(segment))) text += `${text ? '.' : ''}${String(segment)}`;
    else text += `${text ? '' : 'arguments'}[${JSON.stringify(String(segment))}]`;
  }
  return text || 'arguments';
}

const TYPE_NAMES: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  int: 'a whole number',
  record: 'an object of string values',
};

/** One line per problem: the field path, then what is allowed. */
export function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = fieldPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${fieldPath([...issue.path, key])}: unknown field; remove it`);
    case 'invalid_type':
      if (issue.input === undefined) return [`${at}: is required`];
      if (issue.message.startsWith('Invalid input')) {
        return [`${at}: must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`];
      }
      return [`${at}: ${issue.message}`];
    case 'invalid_key':
      return [`${at}: ${issue.issues.map((inner) => inner.message).join('; ')}`];
    case 'too_small':
    case 'too_big':
      return [`${at}: ${isDefaultMessage(issue.message) ? describeBound(issue) : issue.message}`];
    default:
      return [`${at}: ${issue.message}`];
  }
}

function isDefaultMessage(message: string): boolean {
  return message.startsWith('Too small') || message.startsWith('Too big');
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const atLeast = issue.code === 'too_small';
  const unit = { string: 'characters', array: 'items', set: 'items', file: 'bytes' }[issue.origin as string];
  if (unit) return `must have at ${atLeast ? 'least' : 'most'} ${limit} ${unit}`;
  return `must be ${atLeast ? '≥' : '≤'} ${limit}`;
}
