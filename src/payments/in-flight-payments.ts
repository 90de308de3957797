import { setMaxListeners } from 'node:events';
import { linkedSignal } from './linked-signal.js';

/**
 * The payment runs this process has started, so that shutdown loses none: it stops taking calls, lets the
 * runs finish for a grace period, then aborts the rest and waits for each to record its outcome (an aborted
 * POST ends at once as an unknown outcome, logged with its reference).
 */
export class InFlightPayments {
  private readonly running = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private draining = false;
  private finishedWhileDraining = 0;

  constructor() {
    // Every payment in flight listens to it until it ends: many at once is expected, not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  /** False once shutdown has begun: new calls are refused with nothing sent. */
  get accepting(): boolean {
    return !this.draining;
  }

  /** Runs `work` with a signal that aborts when `callSignal` does or when the grace period is over. */
  async whileAccepting<T>(callSignal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const linked = linkedSignal([callSignal, this.controller.signal]);
    try {
      return await work(linked.signal);
    } finally {
      linked.release();
    }
  }

  track<T>(run: Promise<T>): Promise<T> {
    const ended = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(ended);
    void ended.then(() => {
      this.running.delete(ended);
      if (this.draining && !this.controller.signal.aborted) this.finishedWhileDraining += 1;
    });
    return run;
  }

  /** Stops taking payments, waits up to `graceMs` for those in flight, then aborts the rest; resolves once all have ended. */
  async drain(graceMs: number): Promise<{ finished: number; aborted: number }> {
    this.draining = true;
    let graceOver = false;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        graceOver = true;
        resolve();
      }, graceMs);
    });
    // Loops because a run may start while this waits (a call accepted just before draining began).
    while (this.running.size > 0 && !graceOver) await Promise.race([Promise.all(this.running), grace]);
    clearTimeout(timer);
    const aborted = this.running.size;
    this.controller.abort();
    while (this.running.size > 0) await Promise.all(this.running);
    return { finished: this.finishedWhileDraining, aborted };
  }
}
