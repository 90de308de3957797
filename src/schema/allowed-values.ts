import { z } from 'zod';

/**
 * Large enumerations (countries, currencies, payment methods) are checked at run time instead of being
 * advertised: they cost every model request kilobytes. A miss names the nearest allowed values, so the
 * model can correct itself in one step.
 */
export interface AllowedValues<T extends string> {
  values: readonly T[];
  /** What the values are, for the error: "an ISO 3166-1 alpha-2 code". */
  kind: string;
  /** Examples given when nothing is near the input. */
  examples: readonly T[];
  /** A value's human name ("Germany" for DE), so a name finds its code. */
  nameOf?: (value: T) => string | undefined;
  /** Also list every allowed value in the error (for lists with no other public reference). */
  listAll?: boolean;
}

/** A string that must be one of `allowed.values`, typed as their union; the error suggests the nearest values. */
export function allowedString<const T extends string>(allowed: AllowedValues<T>, missing = 'is required') {
  const members = new Set<string>(allowed.values);
  return z
    .string({ error: (issue) => (issue.input === undefined ? missing : `must be ${allowed.kind} (a string)`) })
    .refine((value): value is T => members.has(value), { error: (issue) => describeMiss(String(issue.input), allowed) });
}

function describeMiss<T extends string>(input: string, allowed: AllowedValues<T>): string {
  const nearest = nearestValues(input, allowed);
  const hint = nearest.length > 0 ? `did you mean ${nearest.join(' or ')}?` : `use e.g. ${allowed.examples.join(', ')}.`;
  const list = allowed.listAll ? ` Allowed: ${allowed.values.join(', ')}.` : '';
  return `${JSON.stringify(input)} is not ${allowed.kind}; ${hint}${list}`;
}

const MAX_SUGGESTIONS = 3;

/** Allowed values equal to the input ignoring case, or whose name is; otherwise the closest by edit distance. */
function nearestValues<T extends string>(input: string, { values, nameOf }: AllowedValues<T>): T[] {
  const wanted = normalize(input);
  const exact = values.filter((value) => normalize(value) === wanted || normalize(nameOf?.(value) ?? '') === wanted);
  if (exact.length > 0) return exact.slice(0, MAX_SUGGESTIONS);
  // Short inputs are codes: one letter off is another country, not a typo worth suggesting.
  const tolerance = Math.floor(wanted.length / 4);
  if (tolerance === 0) return [];
  return values
    .map((value) => {
      const name = nameOf?.(value);
      const distance = Math.min(editDistance(wanted, normalize(value)), name ? editDistance(wanted, normalize(name)) : Infinity);
      return { value, distance };
    })
    .filter(({ distance }) => distance <= tolerance)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, MAX_SUGGESTIONS)
    .map(({ value }) => value);
}

function normalize(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

/** Levenshtein distance; inputs here are short (names and codes), so the plain two-row form is enough. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
