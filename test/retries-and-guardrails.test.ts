import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyFailure } from '../src/dodo/failure-classification.js';
import { abortableSleep, callWithRetries, MAX_RETRY_WAIT_MS, realTimeout, retryDelayMs } from '../src/dodo/retry-policy.js';
import { silentLogger } from '../src/logging/logger.js';
import { describeGuardrails, guardrailViolations } from '../src/tools/create-one-time-payment/guardrails.js';

const answered = (status: number, retryAfterSeconds?: number) =>
  classifyFailure({ type: 'status', status, detail: '', ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) });

describe('retryDelayMs', () => {
  it('retries a refused connection twice with a short backoff', () => {
    const notSent = classifyFailure({ type: 'not_sent', code: 'ECONNREFUSED' });
    expect([0, 1, 2].map((retries) => retryDelayMs(notSent, retries))).toEqual([250, 500, undefined]);
  });

  it('retries a 429 twice, honouring Retry-After up to 10 s', () => {
    expect(retryDelayMs(answered(429, 3), 0)).toBe(3000);
    expect(retryDelayMs(answered(429, 3600), 1)).toBe(MAX_RETRY_WAIT_MS);
    expect(retryDelayMs(answered(429), 0)).toBe(1000);
    expect(retryDelayMs(answered(429), 1)).toBe(2000);
    expect(retryDelayMs(answered(429, 1), 2)).toBeUndefined();
  });

  it('never retries anything whose outcome is unknown, or a definite rejection other than 429', () => {
    for (const status of [400, 401, 404, 409, 422, 500, 503]) expect(retryDelayMs(answered(status), 0)).toBeUndefined();
    expect(retryDelayMs(classifyFailure({ type: 'timeout' }), 0)).toBeUndefined();
  });
});

describe('callWithRetries', () => {
  const refused = () => classifyFailure({ type: 'not_sent', code: 'ECONNREFUSED' });

  it('retries a failure that may be retried, waiting as the policy says', async () => {
    const waits: number[] = [];
    let calls = 0;
    const attempted = await callWithRetries(
      async () => {
        if (++calls < 3) throw new Error('refused');
        return 'done';
      },
      refused,
      { signal: new AbortController().signal, sleep: async (ms) => void waits.push(ms), logger: silentLogger, readOnly: false },
    );
    expect(attempted).toEqual({ ok: true, value: 'done', attempts: 3 });
    expect(waits).toEqual([250, 500]);
  });

  it('stops without another attempt when the call is cancelled during the wait', async () => {
    const controller = new AbortController();
    let calls = 0;
    const attempted = await callWithRetries(
      async () => {
        calls++;
        throw new Error('refused');
      },
      refused,
      { signal: controller.signal, sleep: async () => controller.abort(), logger: silentLogger, readOnly: false },
    );
    expect(calls).toBe(1);
    expect(attempted).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'not_sent' } });
  });
});

describe('abortableSleep', () => {
  it('ends early when the signal aborts', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });
});

describe('realTimeout (the real clock)', () => {
  afterEach(() => vi.useRealTimers());

  it('expires once its time is up, not before', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let expired = 0;
    realTimeout(1_000, () => void expired++);
    vi.advanceTimersByTime(999);
    expect(expired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(expired).toBe(1);
  });

  it('never expires once cancelled, and leaves no timer behind', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let expired = 0;
    const cancel = realTimeout(1_000, () => void expired++);
    cancel();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(expired).toBe(0);
  });
});

const request = (productIds: string[], returnUrl?: string) => ({
  billing: { country: 'US' as const },
  customer: { email: 'a@b.co' },
  product_cart: productIds.map((product_id) => ({ product_id, quantity: 1 })),
  payment_link: true,
  ...(returnUrl !== undefined && { return_url: returnUrl }),
});

describe('guardrails', () => {
  it('allows everything when no list is set', () => {
    expect(guardrailViolations(request(['pdt_x'], 'https://evil.example'), {})).toEqual([]);
    expect(describeGuardrails({})).toEqual([]);
  });

  it('refuses products outside the allowed list, naming each', () => {
    expect(guardrailViolations(request(['pdt_a', 'pdt_x']), { allowedProductIds: ['pdt_a', 'pdt_b'] })).toEqual([
      'product_cart[1].product_id: "pdt_x" is not allowed on this server; allowed products: pdt_a, pdt_b',
    ]);
  });

  it('refuses a return_url on another host, case-insensitively and without matching look-alikes', () => {
    const guardrails = { allowedReturnUrlHosts: ['shop.example.com'] };
    expect(guardrailViolations(request(['p'], 'https://SHOP.example.com/thanks'), guardrails)).toEqual([]);
    expect(guardrailViolations(request(['p'], 'https://shop.example.com.evil.io/x'), guardrails)).toEqual([
      'return_url: host "shop.example.com.evil.io" is not allowed on this server; allowed hosts: shop.example.com',
    ]);
    expect(guardrailViolations(request(['p']), guardrails)).toEqual([]);
  });

  it('states the rules for the tool description', () => {
    expect(describeGuardrails({ allowedProductIds: ['pdt_a'], allowedReturnUrlHosts: ['example.com'] })).toEqual([
      'Only these product ids may be charged: pdt_a.',
      'return_url must be on one of these hosts: example.com.',
    ]);
  });
});
