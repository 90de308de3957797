import type { Deadline } from '../../src/dodo/retry-policy.js';

/** A deadline for a test double of the clock: it fires when `signal` aborts (never, by default); `onClear` sees it cleared. */
export function deadlineOf(signal: AbortSignal = new AbortController().signal, onClear: () => void = () => undefined): Deadline {
  return { signal, clear: onClear };
}
