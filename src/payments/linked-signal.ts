import { timeoutError } from '../dodo/node-http-fetch.js';
import type { CancelTimer, Clock } from '../dodo/retry-policy.js';

// One options object for every listener: this runs several times per payment.
const ONCE = { once: true } as const;

type Linked = { signal: AbortSignal; release(): void };

/**
 * A plain signal that aborts when any of `sources` does, or when the timer `startTimer` starts fires (with a
 * `TimeoutError`), with `release()` to unlink it and stop the timer once the work is over. Node keeps a timeout signal
 * or an `AbortSignal.any` signal alive, with whatever its listeners close over, for as long as anything listens to it
 * and it has not fired, and the official client leaves its listener on the signal it is given: given such a signal,
 * every request stayed on the heap until its deadline (about 2 KB per call, tens of MiB under load). Given this one,
 * nothing outlives the request.
 */
export function linkedSignal(sources: readonly AbortSignal[], startTimer?: (expire: () => void) => CancelTimer): Linked {
  const controller = new AbortController();
  const aborted = sources.find((source) => source.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const abort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const source of sources) source.addEventListener('abort', abort, ONCE);
  const cancelTimer = startTimer?.(() => controller.abort(timeoutError()));
  return {
    signal: controller.signal,
    release: () => {
      for (const source of sources) source.removeEventListener('abort', abort);
      cancelTimer?.();
    },
  };
}

/**
 * `signal` cut off `ms` from now too, with the `TimeoutError` Node's own timeout signals abort with. One
 * AbortController for both: a deadline of its own would be a second signal per attempt, and each costs ~4 µs to make
 * on Node 20 (docs/design.md). It timed out when it is aborted and `signal` is not.
 */
export function linkedUntil(signal: AbortSignal, ms: number, timeout: Clock['timeout']): Linked {
  return linkedSignal([signal], (expire) => timeout(ms, expire));
}
