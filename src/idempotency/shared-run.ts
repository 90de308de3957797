/** A run of a task that several local callers may wait for; it is aborted only when the last of them leaves. */
export interface SharedRun {
  waiting: number;
  controller: AbortController;
}

/** What a caller gets when its own signal aborts before the run settles. */
export const LEFT = Symbol('left');

/**
 * Waits for `outcome` on behalf of one caller: its value, or LEFT when `signal` aborts first. One caller leaving never
 * changes what the others get; the run's own signal aborts once no caller is waiting for it any more.
 */
export async function waitForRun<V>(run: SharedRun, outcome: Promise<V>, signal: AbortSignal): Promise<V | typeof LEFT> {
  run.waiting += 1;
  let onAbort!: () => void;
  const left = new Promise<typeof LEFT>((resolve) => {
    onAbort = () => resolve(LEFT);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const value = await Promise.race([outcome, left]);
    if (value === LEFT && run.waiting === 1) run.controller.abort();
    return value;
  } finally {
    run.waiting -= 1;
    signal.removeEventListener('abort', onAbort);
  }
}
