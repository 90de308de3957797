/**
 * The payment runs this process has started, so that shutdown loses none: it stops taking calls, lets the
 * runs finish for a grace period, then aborts the rest and waits for each to record its outcome (an aborted
 * POST ends at once as an unknown outcome, logged with its reference).
 */
export class InFlightPayments {
  private readonly running = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();
  private draining = false;

  /** False once shutdown has begun: new calls are refused with nothing sent. */
  get accepting(): boolean {
    return !this.draining;
  }

  /** Aborts when the grace period is over. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  track<T>(run: Promise<T>): Promise<T> {
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return run;
  }

  /** Stops taking payments, waits up to `graceMs` for those in flight, then aborts the rest; resolves once all have ended. */
  async drain(graceMs: number): Promise<{ finished: number; aborted: number }> {
    this.draining = true;
    const inFlight = this.running.size;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(this.running), graceOver]);
    clearTimeout(timer);
    const aborted = this.running.size;
    this.controller.abort();
    await Promise.all(this.running);
    return { finished: inFlight - aborted, aborted };
  }
}
