import type { Logger } from '../logging/logger.js';
import { type ApiFailure, classifyFailure } from './failure-classification.js';

const MAX_RETRIES = 2;
export const MAX_RETRY_WAIT_MS = 10_000;
const QUICK_BACKOFF_MS = 250;
const RATE_LIMIT_BACKOFF_MS = 1_000;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Stops a timer that has not fired yet; calling it after it fired does nothing. */
export type CancelTimer = () => void;

/**
 * The time a payment run sees, injected so tests and the simulation drive it: the clock, waits between tries, and the
 * deadlines of requests and searches (a simulation brings its own clock).
 */
export interface Clock {
  now: () => number;
  /** Waits between retries; tests pass one that does not wait. */
  sleep: Sleep;
  /**
   * Calls `expire` `ms` from now unless cancelled first: the deadline of an attempt, a search, a store operation. A
   * timer rather than a signal, so that a deadline joined with the caller's signal makes one AbortController, not two
   * (payments/linked-signal.ts).
   */
  timeout: (ms: number, expire: () => void) => CancelTimer;
}

/**
 * The real clock's timer, cleared with the work. Node's `AbortSignal.timeout` keeps its timer, a weak reference and a
 * finalizer until the signal is collected, so every attempt left a timer pending for its whole timeout
 * (docs/design.md). Like it, the timer does not keep the process alive.
 */
export function realTimeout(ms: number, expire: () => void): CancelTimer {
  const timer = setTimeout(expire, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

export interface RetryOptions {
  signal: AbortSignal;
  sleep: Sleep;
  logger: Logger;
  /**
   * A read changes nothing, so any transient failure may be retried. A write is retried only where
   * it certainly created nothing: a 429, or a connection that was never made.
   */
  readOnly: boolean;
  /** Asked before every attempt; false ends the call with nothing more sent (`lease_lost`). */
  mayAttempt?: () => Promise<boolean>;
}

/** How long to wait before trying again, or undefined to stop. Never retries a cancelled call. */
export function retryDelayMs({ kind, condition }: ApiFailure, retriesSoFar: number, readOnly = false): number | undefined {
  if (retriesSoFar >= MAX_RETRIES || condition.type === 'cancelled') return undefined;
  if (condition.type === 'status' && condition.status === 429) {
    const asked =
      condition.retryAfterSeconds !== undefined ? condition.retryAfterSeconds * 1000 : RATE_LIMIT_BACKOFF_MS * 2 ** retriesSoFar;
    return Math.min(MAX_RETRY_WAIT_MS, asked);
  }
  if (kind === 'not_sent' || (readOnly && kind === 'unknown_outcome')) {
    return QUICK_BACKOFF_MS * 2 ** retriesSoFar;
  }
  return undefined;
}

export type Attempted<T> = { ok: true; value: T; attempts: number } | { ok: false; failure: ApiFailure; attempts: number };

/** Calls `call` until it succeeds or `retryDelayMs` says stop; `classify` says what each failure means. */
export async function callWithRetries<T>(
  call: () => Promise<T>,
  classify: (error: unknown) => ApiFailure,
  { signal, sleep, logger, readOnly, mayAttempt }: RetryOptions,
): Promise<Attempted<T>> {
  for (let attempt = 1; ; attempt++) {
    // Checked before every attempt: a call cancelled now has sent nothing more, whatever came before.
    if (signal.aborted) return { ok: false, failure: classifyFailure({ type: 'cancelled_before_sending' }), attempts: attempt - 1 };
    if (mayAttempt && !(await mayAttempt())) return { ok: false, failure: classifyFailure({ type: 'lease_lost' }), attempts: attempt - 1 };
    if (signal.aborted) return { ok: false, failure: classifyFailure({ type: 'cancelled_before_sending' }), attempts: attempt - 1 };
    try {
      return { ok: true, value: await call(), attempts: attempt };
    } catch (error) {
      const failure = classify(error);
      const delay = signal.aborted ? undefined : retryDelayMs(failure, attempt - 1, readOnly);
      if (delay === undefined) return { ok: false, failure, attempts: attempt };
      logger.debug('retry', { after: failure.label, attempt, delay_ms: delay });
      await sleep(delay, signal);
    }
  }
}

/** setTimeout that ends early when the call is cancelled and leaves no timer or listener behind. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
