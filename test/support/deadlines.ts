import type { Clock } from '../../src/dodo/retry-policy.js';

/**
 * A timer for a test double of the clock: it fires when `signal` aborts (at once if it already has; never, by default);
 * `onCancel` sees it cancelled.
 */
export function timerOf(signal: AbortSignal = new AbortController().signal, onCancel: () => void = () => undefined): Clock['timeout'] {
  return (_ms, expire) => {
    if (signal.aborted) expire();
    else signal.addEventListener('abort', expire, { once: true });
    return () => {
      signal.removeEventListener('abort', expire);
      onCancel();
    };
  };
}
