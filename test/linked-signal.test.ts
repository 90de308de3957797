import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { APIError } from 'dodopayments';
import { describe, expect, it } from 'vitest';
import type { DodoApi } from '../src/dodo/api-client.js';
import { timerDeadline } from '../src/dodo/retry-policy.js';
import { silentLogger } from '../src/logging/logger.js';
import { linkedSignal, linkedUntil } from '../src/payments/linked-signal.js';
import { sendPayment } from '../src/payments/send.js';
import { deadlineOf } from './support/deadlines.js';

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
  it('aborts at its deadline, and once released leaves no listener and clears the deadline', () => {
    const [call, time] = [new AbortController(), new AbortController()];
    let cleared = 0;
    const deadline = deadlineOf(time.signal, () => void cleared++);
    const first = linkedUntil(call.signal, deadline);
    time.abort('time is up');
    expect(first.signal.reason).toBe('time is up');
    const second = linkedUntil(
      call.signal,
      deadlineOf(undefined, () => void cleared++),
    );
    second.release();
    expect(cleared).toBe(1);
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(1);
    first.release();
    expect(cleared).toBe(2);
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
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
      timeout: timerDeadline,
    });
    expect(sent.kind).toBe('created');
    expect(given && (await collected(given))).toBe(true);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('clears the deadline of every attempt when it ends, answered or not', async () => {
    const deadlines: { cleared: number }[] = [];
    const timeout = () => {
      const made = { cleared: 0 };
      deadlines.push(made);
      return deadlineOf(undefined, () => void made.cleared++);
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
});
