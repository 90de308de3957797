import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { InFlightPayments } from '../src/payments/in-flight-payments.js';

/** A promise a test settles by hand. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('InFlightPayments.whileAccepting', () => {
  it("aborts the work's signal when the call's signal aborts", async () => {
    const payments = new InFlightPayments();
    const call = new AbortController();
    const seen = payments.whileAccepting(call.signal, async (signal) => {
      call.abort();
      return signal.aborted;
    });
    expect(await seen).toBe(true);
  });

  it('aborts it when the grace period of a drain is over, and the drain counts the run as aborted', async () => {
    const payments = new InFlightPayments();
    const started = gate();
    const run = payments.whileAccepting(new AbortController().signal, (signal) =>
      payments.track(
        new Promise<boolean>((resolve) => {
          started.open();
          signal.addEventListener('abort', () => resolve(true));
        }),
      ),
    );
    await started.promise;
    expect(await payments.drain(0)).toEqual({ finished: 0, aborted: 1 });
    expect(await run).toBe(true);
  });

  it('starts aborted when the call was already cancelled', async () => {
    const payments = new InFlightPayments();
    expect(await payments.whileAccepting(AbortSignal.abort(), async (signal) => signal.aborted)).toBe(true);
  });

  it('leaves no listener behind on either signal once the work is over, whether it succeeded or failed', async () => {
    const payments = new InFlightPayments();
    const call = new AbortController();
    const grace = (payments as unknown as { controller: AbortController }).controller.signal;
    await payments.whileAccepting(call.signal, async () => 'done');
    await expect(
      payments.whileAccepting(call.signal, async () => {
        throw new Error('failed');
      }),
    ).rejects.toThrow('failed');
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(grace, 'abort')).toHaveLength(0);
  });
});
