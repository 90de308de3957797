import type { Deadline } from '../dodo/retry-policy.js';

// One options object for every listener: this runs several times per payment.
const ONCE = { once: true } as const;

/**
 * A plain signal that aborts when any of `sources` does, with `release()` to unlink it once the work is over. Node keeps
 * a timeout signal or an `AbortSignal.any` signal alive, with whatever its listeners close over, for as long as
 * anything listens to it and it has not fired, and the official client leaves its listener on the signal it is given:
 * given such a signal, every request stayed on the heap until its deadline (about 2 KB per call, tens of MiB under
 * load). Given this one, nothing outlives the request.
 */
export function linkedSignal(sources: readonly AbortSignal[]): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const abort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const aborted = sources.find((source) => source.aborted);
  if (aborted) controller.abort(aborted.reason);
  else for (const source of sources) source.addEventListener('abort', abort, ONCE);
  return {
    signal: controller.signal,
    release: () => {
      for (const source of sources) source.removeEventListener('abort', abort);
    },
  };
}

/** `signal` cut off at `deadline` too; `release()` unlinks it and clears the deadline, which the link owns. */
export function linkedUntil(signal: AbortSignal, deadline: Deadline): { signal: AbortSignal; release(): void } {
  const linked = linkedSignal([signal, deadline.signal]);
  return {
    signal: linked.signal,
    release: () => {
      linked.release();
      deadline.clear();
    },
  };
}
