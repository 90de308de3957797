import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { APIError } from 'dodopayments';
import { APIUserAbortError } from 'dodopayments/core/error';
import { describe, expect, it } from 'vitest';
import type { DodoApi } from '../src/dodo/api-client.js';
import { realTimeout } from '../src/dodo/retry-policy.js';
import { silentLogger } from '../src/logging/logger.js';
import { linkedSignal, linkedUntil } from '../src/payments/linked-signal.js';
import { sendPayment } from '../src/payments/send.js';
import { timerOf } from './support/deadlines.js';

describe('linkedSignal', () => {
  it('aborts with the reason of whichever source aborts', () => {
    const [first, second] = [new AbortController(), new AbortController()];
    const linked = linkedSignal([first.signal, second.signal]);
    expect(linked.signal.aborted).toBe(false);
    second.abort('deadline');
    expect(linked.signal.reason).toBe('deadline');
  });

  it('starts aborted when a source already is', () => {
    expect(linkedSignal([new AbortController().signal, AbortSignal.abort('gone')]).signal.reason).toBe('gone');
  });

  it('leaves no listener on its sources once released', () => {
    const sources = [new AbortController().signal, new AbortController().signal];
    linkedSignal(sources).release();
    for (const source of sources) expect(getEventListeners(source, 'abort')).toHaveLength(0);
  });
});

describe('linkedUntil', () => {
  it('aborts with a TimeoutError at its deadline, and once released leaves no listener and cancels the timer', () => {
    const [call, time] = [new AbortController(), new AbortController()];
    let cancelled = 0;
    const first = linkedUntil(
      call.signal,
      1_000,
      timerOf(time.signal, () => void cancelled++),
    );
    time.abort();
    expect(first.signal.reason).toMatchObject({ name: 'TimeoutError' });
    expect(call.signal.aborted).toBe(false);
    const second = linkedUntil(
      call.signal,
      1_000,
      timerOf(undefined, () => void cancelled++),
    );
    second.release();
    expect(cancelled).toBe(1);
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(1);
    first.release();
    expect(cancelled).toBe(2);
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
  });

  it("aborts with the caller's reason when the caller's signal aborts first", () => {
    const call = new AbortController();
    const linked = linkedUntil(call.signal, 1_000, timerOf());
    call.abort('cancelled');
    expect(linked.signal.reason).toBe('cancelled');
  });

  it('starts aborted, with no timer, when the signal already is', () => {
    let started = 0;
    const linked = linkedUntil(AbortSignal.abort('gone'), 1_000, (ms, expire) => {
      started++;
      return timerOf()(ms, expire);
    });
    expect(linked.signal.reason).toBe('gone');
    expect(started).toBe(0);
  });
});

// V8's collector, for a test that a request's signal does not outlive it (the flag is read when gc() is created).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Whether `ref`'s target is collected within a few full collections, each after the current job (WeakRefs hold until then). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let round = 0; round < 10 && ref.deref() !== undefined; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
  }
  return ref.deref() === undefined;
}

describe('sendPayment', () => {
  it("does not keep the client's signal alive until the attempt's deadline, though the client leaves a listener on it", async () => {
    let given: WeakRef<AbortSignal> | undefined;
    const api = {
      // The official client adds an abort listener to the signal it is given and does not remove it.
      createPayment: async (_body: unknown, signal: AbortSignal) => {
        signal.addEventListener('abort', () => undefined);
        given = new WeakRef(signal);
        return { payment_id: 'pay_1' };
      },
    } as unknown as DodoApi;
    const run = new AbortController();
    const sent = await sendPayment(api, {} as never, {
      attemptTimeoutMs: 600_000,
      holdKeyFor: async () => true,
      signal: run.signal,
      sleep: async () => undefined,
      logger: silentLogger,
      now: () => 0,
      // The real clock's deadline, far off: its timer must not keep the attempt's signal alive either.
      timeout: realTimeout,
    });
    expect(sent.kind).toBe('created');
    expect(given && (await collected(given))).toBe(true);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('clears the deadline of every attempt when it ends, answered or not', async () => {
    const deadlines: { cleared: number }[] = [];
    const timeout = (ms: number, expire: () => void) => {
      const made = { cleared: 0 };
      deadlines.push(made);
      return timerOf(undefined, () => void made.cleared++)(ms, expire);
    };
    let calls = 0;
    const api = {
      // First a 429 (retried: nothing was created), then the payment.
      createPayment: async () => {
        calls += 1;
        if (calls === 1) throw APIError.generate(429, { code: 'RATE_LIMITED' }, undefined, new Headers());
        return { payment_id: 'pay_1' };
      },
    } as unknown as DodoApi;
    const sent = await sendPayment(api, {} as never, {
      attemptTimeoutMs: 600_000,
      holdKeyFor: async () => true,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      logger: silentLogger,
      now: () => 0,
      timeout,
    });
    expect(sent).toMatchObject({ kind: 'created', attempts: 2 });
    expect(deadlines).toEqual([{ cleared: 1 }, { cleared: 1 }]);
  });

  /** sendPayment against a POST that hangs until its signal aborts, then fails as the official client does. */
  function sendToHangingApi(signal: AbortSignal, deadline: AbortSignal) {
    let attemptStarted!: () => void;
    const started = new Promise<void>((resolve) => (attemptStarted = resolve));
    const api = {
      createPayment: (_body: unknown, attempt: AbortSignal) =>
        new Promise((_, reject) => {
          attempt.addEventListener('abort', () => reject(new APIUserAbortError()), { once: true });
          attemptStarted();
        }),
    } as unknown as DodoApi;
    const sent = sendPayment(api, {} as never, {
      attemptTimeoutMs: 600_000,
      holdKeyFor: async () => true,
      signal,
      sleep: async () => undefined,
      logger: silentLogger,
      now: () => 0,
      timeout: timerOf(deadline),
    });
    return { sent, started };
  }

  it('an attempt cut off at its deadline is an unknown outcome that timed out; one the caller cancelled, a cancelled one', async () => {
    const [caller, deadline] = [new AbortController(), new AbortController()];
    const timedOut = sendToHangingApi(caller.signal, deadline.signal);
    await timedOut.started;
    deadline.abort();
    expect(await timedOut.sent).toMatchObject({ kind: 'unknown_outcome', failure: { condition: { type: 'timeout' } }, attempts: 1 });

    const [otherCaller, laterDeadline] = [new AbortController(), new AbortController()];
    const cancelled = sendToHangingApi(otherCaller.signal, laterDeadline.signal);
    await cancelled.started;
    otherCaller.abort();
    expect(await cancelled.sent).toMatchObject({ kind: 'unknown_outcome', failure: { condition: { type: 'cancelled' } }, attempts: 1 });
  });
});
