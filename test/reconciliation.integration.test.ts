// Exactly once without a human: every cause of an unknown outcome × whether the payment exists, appears late
// or never exists, each with the exact number of POSTs the simulated API received, and retries under the key.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answer, type Responder } from '../scripts/fake-dodo-api.js';
import type { Logger } from '../src/logging/logger.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, type InProcessSession, resultText, SAMPLE_PAYMENT, testConfig } from './support/in-process.js';

const RECONCILE_MS = 20_000;
// Real, for the answers that never come: long enough that no other request reaches it on a loaded machine.
const TIMEOUT_MS = 2_000;
const api = useFakeDodoApi();

// Injected time: sleeping advances the clock, so polling for 20 s takes no real time.
let clock = Date.now();
const sleeps: number[] = [];
const events: Record<string, unknown>[] = [];
const logger: Logger = {
  debug: () => {},
  info: (event, fields) => void events.push({ event, ...fields }),
  warn: () => {},
};
let session: InProcessSession;

beforeAll(async () => {
  session = await connectInProcess(testConfig({ baseUrl: api.url, timeoutMs: TIMEOUT_MS, reconcileMs: RECONCILE_MS }), {
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    logger,
  });
});
afterAll(() => session.close());
// The simulated API stamps payments with the real time; the injected clock starts from it in every test.
beforeEach(() => {
  clock = Date.now();
});
afterEach(() => {
  api.requests.length = 0;
  api.delayListing(0);
  sleeps.length = 0;
  events.length = 0;
});

const CAUSES: [string, () => Responder, string][] = [
  ['a timeout', () => answer.hang(), 'did not answer in time'],
  ['a 502', () => answer.text(502, 'text/html', '<h1>Bad gateway</h1>'), 'Dodo API error 502'],
  ['a reset before any answer', () => answer.reset(), 'failed mid-request'],
  ['a reset mid-answer', () => answer.resetMidResponse(), 'failed mid-request'],
  ['an unreadable 200', () => answer.text(200, 'text/html', '<html>ok</html>'), 'not a payment'],
  ['a 303 redirect', () => answer.json(303, {}, { location: '/payments/elsewhere' }), 'a redirect'],
  ['a 101 that never completes', () => answer.switchingProtocols(), 'failed mid-request'],
];

let keys = 0;
const withKey = (args: object = SAMPLE_PAYMENT) => ({ ...args, idempotency_key: `order-${++keys}` });

describe.each(CAUSES)('an unknown outcome from %s', (_cause, lose, causeText) => {
  it('payment exists: found by its reference and returned as created, flagged as recovered; one POST; a retry replays it', async () => {
    api.script(answer.committedThen(lose()));
    const args = withKey();
    const result = await session.call(args);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ payment_id: expect.stringMatching(/^pay_sim/), payment_link: expect.any(String) });
    expect(resultText(result)).toContain('Recovered: ');
    expect(resultText(result)).toContain(causeText);
    expect(api.paymentPosts()).toBe(1);
    expect(events.find((event) => event.event === 'tool_call')).toMatchObject({ outcome: 'created', recovered: true });

    const retry = await session.call(args);
    expect(retry.structuredContent).toEqual(result.structuredContent);
    expect(api.paymentPosts()).toBe(1);
  });

  it('payment appears late: polled with back-off until it shows; one POST; a retry replays it', async () => {
    api.delayListing(3);
    api.script(answer.committedThen(lose()));
    const args = withKey();
    const result = await session.call(args);
    expect(result.isError).toBeFalsy();
    expect(resultText(result)).toContain('Recovered: ');
    // One look before the POST (this process may have forgotten the key), then four after it.
    expect(api.paymentLists()).toBe(5);
    expect(sleeps).toEqual([250, 500, 1_000]);
    expect(api.paymentPosts()).toBe(1);

    expect((await session.call(args)).structuredContent).toEqual(result.structuredContent);
    expect(api.paymentPosts()).toBe(1);
    expect(api.paymentLists()).toBe(5);
  });

  it('payment never exists: says what was checked and for how long; a retry under the key looks once more, then POSTs once', async () => {
    api.script(lose());
    const args = withKey();
    const result = await session.call(args);
    const text = resultText(result);
    expect(result.isError).toBe(true);
    expect(text).toContain(causeText);
    expect(text).toMatch(
      /looked for it 11 time\(s\) over 20 s in GET \/payments \(created since .*, metadata mcp_ref=[\w-]{24}\.[\w-]{16}\) and did not find it/,
    );
    expect(text).toContain(`Retrying with the same idempotency_key "${args.idempotency_key}" and the same arguments is safe`);
    expect(api.paymentPosts()).toBe(1);
    expect(api.paymentLists()).toBe(12);
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(RECONCILE_MS);

    const retry = await session.call(args);
    expect(retry.isError).toBeFalsy();
    expect(resultText(retry)).not.toContain('Recovered');
    expect(api.paymentPosts()).toBe(2);
    // The retry looks until the first request, had Dodo committed it at its deadline, would be listed: 5 searches.
    expect(api.paymentLists()).toBe(17);
    const references = api.requests
      .filter((r) => r.method === 'POST')
      .map((r) => (r.body as { metadata: Record<string, string> }).metadata.mcp_ref);
    expect(new Set(references).size).toBe(1);
  });
});

describe('retries under a key whose outcome was unknown', () => {
  it('a payment that shows only after the window is found by the retry, with no second POST', async () => {
    api.delayListing(11);
    api.script(answer.committedThen(answer.text(502, 'text/html', 'bad gateway')));
    const args = withKey();
    expect(resultText(await session.call(args))).toContain('did not find it');
    const retry = await session.call(args);
    expect(retry.isError).toBeFalsy();
    expect(resultText(retry)).toContain('Recovered: Dodo API error 502');
    expect(api.paymentPosts()).toBe(1);
  });

  it('without an idempotency_key, the error hands the agent one, and a retry with it is covered', async () => {
    api.script(answer.hang());
    const first = resultText(await session.call(SAMPLE_PAYMENT));
    const key = /call again with the same arguments and idempotency_key "([^"]+)"/.exec(first)?.[1];
    expect(key).toMatch(/^mcp-/);
    api.delayListing(0);
    const retry = await session.call({ ...SAMPLE_PAYMENT, idempotency_key: key });
    expect(retry.isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);

    api.script(answer.committedThen(answer.hang()));
    api.delayListing(11);
    const lost = resultText(await session.call(SAMPLE_PAYMENT));
    const lostKey = /idempotency_key "([^"]+)"/.exec(lost)?.[1];
    const found = await session.call({ ...SAMPLE_PAYMENT, idempotency_key: lostKey });
    expect(resultText(found)).toContain('Recovered');
    expect(api.paymentPosts()).toBe(3);
  });

  it('searches by customer_id when the payment names an existing customer, from just before the attempt', async () => {
    api.script(answer.committedThen(answer.hang()));
    const startedAt = clock;
    await session.call(withKey({ ...SAMPLE_PAYMENT, customer: { customer_id: 'cus_existing' } }));
    const list = api.requests.filter((request) => request.method === 'GET' && request.path === '/payments').at(-1);
    const query = new URL(list?.url ?? '', api.url).searchParams;
    expect(query.get('customer_id')).toBe('cus_existing');
    expect(query.get('page_size')).toBe('100');
    expect(query.get('page_number')).toBe('0');
    expect(Date.parse(query.get('created_at_gte') ?? '')).toBe(startedAt - 60_000);
  });

  it('the reference is a hash of the key and one of the request (never the key)', async () => {
    await session.call({ ...SAMPLE_PAYMENT, idempotency_key: 'secret-order-id' });
    const body = JSON.stringify(api.requests.find((request) => request.method === 'POST')?.body);
    expect(body).not.toContain('secret-order-id');
    expect(body).toMatch(/"mcp_ref":"[\w-]{24}\.[\w-]{16}"/);
  });

  it('DODO_PAYMENTS_RECONCILE_MS=0 turns the search off: nothing is listed, and no search is promised', async () => {
    const off = await connectInProcess(testConfig({ baseUrl: api.url, timeoutMs: TIMEOUT_MS, reconcileMs: 0 }));
    api.script(answer.committedThen(answer.text(502, 'text/html', 'bad gateway')));
    const text = resultText(await off.call(SAMPLE_PAYMENT));
    expect(text).toContain('The payment may or may not have been created');
    expect(text).not.toContain('looks for this payment');
    expect(api.paymentLists()).toBe(0);
    expect(api.paymentPosts()).toBe(1);
    await off.close();
  });

  it('refuses the reserved metadata key from callers, sending nothing', async () => {
    const result = await session.call({ ...SAMPLE_PAYMENT, metadata: [{ key: 'mcp_ref', value: 'mine' }] });
    expect(resultText(result)).toContain('metadata[0].key: "mcp_ref" is reserved');
    expect(api.paymentPosts()).toBe(0);
  });
});

describe('cancellation', () => {
  /** A responder that commits (or not), tells the test the POST arrived, and never answers. */
  function arriveAndHang(commit: boolean) {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const responder: Responder = (request, _response, fake) => {
      if (commit) fake.commit(request);
      arrived();
      return new Promise<void>(() => {});
    };
    return { responder, arrival };
  }

  async function cancelledCall(args: object, commit: boolean) {
    const { responder, arrival } = arriveAndHang(commit);
    api.script(responder);
    const controller = new AbortController();
    const call = session.client.callTool({ name: 'create_one_time_payment', arguments: args as Record<string, unknown> }, undefined, {
      signal: controller.signal,
    });
    await arrival;
    controller.abort();
    await expect(call).rejects.toThrow();
    await expect.poll(() => events.some((event) => event.event === 'payment_attempt')).toBe(true);
    expect(events.find((event) => event.event === 'payment_attempt')).toMatchObject({
      outcome: 'unknown_outcome: cancelled',
      reference: expect.stringMatching(/^[\w-]{24}\.[\w-]{16}$/),
    });
  }

  // The cancelled run never searched, so the retry polls for the whole window before it may send (after the one look
  // the first call made before its POST).
  it.each([
    ['exists', true, 0, 2, 1],
    ['appears late', true, 4, 6, 1],
    ['never exists', false, 0, 13, 2],
  ])('after the POST left, a retry under the key resolves it: payment %s', async (_name, commit, listingDelay, lists, posts) => {
    const args = withKey();
    api.delayListing(listingDelay);
    await cancelledCall(args, commit);
    const retry = await session.call(args);
    expect(retry.isError).toBeFalsy();
    expect(resultText(retry).includes('Recovered')).toBe(commit);
    expect(api.paymentLists()).toBe(lists);
    expect(api.paymentPosts()).toBe(posts);
  });

  it("one caller's cancellation of a shared key never changes what the others get", async () => {
    const release = api.hold();
    const args = withKey();
    const controller = new AbortController();
    const leaving = session.client.callTool({ name: 'create_one_time_payment', arguments: args }, undefined, { signal: controller.signal });
    const staying = session.call(args);
    await api.held(1);
    const abandonedBefore = api.abandoned();
    controller.abort();
    await expect(leaving).rejects.toThrow();
    release();
    const result = await staying;
    expect(result.isError).toBeFalsy();
    expect(resultText(result)).not.toContain('Recovered');
    expect(api.abandoned()).toBe(abandonedBefore);
    expect(api.paymentPosts()).toBe(1);
    const replay = await session.call(args);
    expect(replay.structuredContent).toEqual(result.structuredContent);
    expect(api.paymentPosts()).toBe(1);
  });
});

describe('a call cancelled before anything was sent', () => {
  /** A call that the test can cancel from inside the server's waits; returns its controller with it. */
  const cancellableCall = (target: InProcessSession, args: Record<string, unknown>) => {
    const controller = new AbortController();
    const result = target.client.callTool({ name: 'create_one_time_payment', arguments: args }, undefined, { signal: controller.signal });
    return { controller, result };
  };

  it('during a 429 wait: says nothing was sent and frees the key', async () => {
    let onWait = () => {};
    const local: Record<string, unknown>[] = [];
    const waiting = await connectInProcess(testConfig({ baseUrl: api.url }), {
      logger: { ...logger, info: (event, fields) => void local.push({ event, ...fields }) },
      sleep: (_ms, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => resolve(), { once: true });
          onWait();
        }),
    });
    const args = withKey();
    api.script(answer.error(429, 'TOO_MANY_REQUESTS', 'slow', { 'retry-after': '1' }));
    const cancelled = cancellableCall(waiting, args);
    onWait = () => cancelled.controller.abort();
    await expect(cancelled.result).rejects.toThrow();
    await expect
      .poll(() => local.find((event) => event.event === 'payment_attempt'))
      .toMatchObject({
        outcome: 'not_sent: cancelled_before_sending',
      });
    onWait = () => {};
    expect((await waiting.call(args)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);
    await waiting.close();
  });

  it('during the live confirmation: nothing is sent, even if the client then confirms, and the key is free', async () => {
    let cancelWhileAsking: (() => void) | undefined;
    const live = await connectInProcess(
      testConfig({ baseUrl: api.url, environment: 'live_mode' }),
      {},
      {
        capabilities: { elicitation: { form: {} } },
        onElicit: async () => {
          cancelWhileAsking?.();
          return { action: 'accept', content: { confirm: true } };
        },
      },
    );
    const args = withKey();
    const cancelled = cancellableCall(live, args);
    cancelWhileAsking = () => cancelled.controller.abort();
    await expect(cancelled.result).rejects.toThrow();
    cancelWhileAsking = undefined;
    expect((await live.call(args)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(1);
    await live.close();
  });
});
