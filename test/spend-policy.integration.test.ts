// The spend policy against the simulated API: each rule with the exact number of POSTs it let through (0 when it
// refused), rolling windows moved by the injected clock, settlement by outcome, replays and retries counted once.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answer, DEFAULT_CATALOGUE } from '../scripts/fake-dodo-api.js';
import type { Config } from '../src/config/config.js';
import type { LogFields, Logger } from '../src/logging/logger.js';
import { createServer } from '../src/server/create-server.js';
import { createSharedState, type SharedState } from '../src/server/shared-state.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectClient, type InProcessSession, resultText, SAMPLE_PAYMENT, TEST_KEY, testConfig } from './support/in-process.js';
import { temporaryFile } from './support/temporary-files.js';

const api = useFakeDodoApi({
  apiKey: TEST_KEY,
  catalogue: { ...DEFAULT_CATALOGUE, pdt_guide_eur: { name: 'Guide', price: 1200, currency: 'EUR' } },
});

const HOUR = 60 * 60 * 1000;
let clock = 0;
const events: ({ event: string } & LogFields)[] = [];
const logger: Logger = {
  debug: () => {},
  info: (event, fields) => void events.push({ event, ...fields }),
  warn: (event, fields) => void events.push({ event, level: 'warn', ...fields }),
};
const sessions: InProcessSession[] = [];

beforeEach(() => {
  clock = Date.now();
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  api.requests.length = 0;
  events.length = 0;
});

const course = (quantity = 1) => ({ ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_course_pro', quantity }] });
let keys = 0;
const withKey = (args: object, key = `order-${++keys}`) => ({ ...args, idempotency_key: key });

/** A server over a policy file written for the test, called with `credential`'s limits. */
async function serve(policy: object | undefined, { credential = 'n8n', ...config }: Partial<Config> & { credential?: string } = {}) {
  const policyFile = temporaryFile('policy.json', policy && JSON.stringify(policy));
  const shared: SharedState = createSharedState(testConfig({ baseUrl: api.url, ...(policy && { policyFile }), ...config }), {
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    logger,
  });
  const session = await connectClient(createServer(shared, { credential }));
  sessions.push(session);
  return {
    shared,
    session,
    call: session.call,
    rewrite: (next: object) => {
      writeFileSync(policyFile, JSON.stringify(next));
      shared.spend.reload(logger);
    },
  };
}

const refusals = () => events.filter((event) => event.outcome === 'refused_by_policy');

describe('max_payment', () => {
  it('refuses a payment whose expected total is over the limit, before anything is sent', async () => {
    const { call } = await serve({ limits: { n8n: { max_payment: { USD: 10000 } } } });
    expect((await call(course(2))).isError).toBeFalsy();
    const refused = await call(course(3));
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toBe('Refused by policy: max_payment 100.00 USD for n8n; this payment is 147.00 USD; nothing was sent.');
    expect(api.paymentPosts()).toBe(1);
    expect(refusals()).toEqual([expect.objectContaining({ event: 'tool_call', rule: 'max_payment' })]);
  });

  it('counts a pay-what-you-want line as amount × quantity', async () => {
    const { call } = await serve({ limits: { n8n: { max_payment: { USD: 1000 } } } });
    const tip = (amount: number) => ({ ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_tip_jar', quantity: 2, amount }] });
    expect((await call(tip(500))).isError).toBeFalsy();
    expect(resultText(await call(tip(501)))).toContain('max_payment 10.00 USD for n8n; this payment is 10.02 USD');
    expect(api.paymentPosts()).toBe(1);
  });

  it('refuses a currency the limit does not list (fail closed), and a cart mixing price currencies', async () => {
    const { call } = await serve({ limits: { n8n: { max_payment: { USD: 10000 } } } });
    const guide = { ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_guide_eur', quantity: 1 }] };
    expect(resultText(await call(guide))).toBe(
      'Refused by policy: max_payment for n8n lists only USD; this payment is 12.00 EUR; nothing was sent.',
    );
    const mixed = { ...SAMPLE_PAYMENT, product_cart: [...course().product_cart, ...guide.product_cart] };
    expect(resultText(await call(mixed))).toBe(
      'Refused by policy: limits apply to n8n, and the cart mixes price currencies (USD, EUR); send one payment per currency; nothing was sent.',
    );
    expect(api.paymentPosts()).toBe(0);
  });

  it('refuses a product whose price cannot be read (fail closed)', async () => {
    const { call } = await serve({ limits: { n8n: { max_payment: { USD: 10000 } } } });
    const unknown = { ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_missing', quantity: 1 }] };
    expect(resultText(await call(unknown))).toMatch(
      /^Refused by policy: limits apply to n8n, and the price of pdt_missing could not be read \(404/,
    );
    expect(api.paymentPosts()).toBe(0);
  });

  it('reads each price once while it is fresh (a minute by the injected clock)', async () => {
    const { call } = await serve({ limits: { n8n: { max_payment: { USD: 10000 } } } });
    const productReads = () => api.requests.filter((request) => request.path === '/products/pdt_course_pro').length;
    await call(course());
    await call(course());
    expect(productReads()).toBe(1);
    clock += 60_001;
    await call(course());
    expect(productReads()).toBe(2);
    expect(api.paymentPosts()).toBe(3);
  });
});

describe('per_day', () => {
  it('holds a rolling 24 h sum per currency, and frees it as payments leave the window', async () => {
    const { call } = await serve({ limits: { default: { per_day: { USD: 10000 } } } });
    expect((await call(course())).isError).toBeFalsy();
    clock += 12 * HOUR;
    expect((await call(course())).isError).toBeFalsy();
    const refused = await call(course());
    expect(resultText(refused)).toBe(
      'Refused by policy: per_day 100.00 USD for n8n, 2.00 USD left; this payment is 49.00 USD; nothing was sent.',
    );
    expect(api.paymentPosts()).toBe(2);
    clock += 12 * HOUR; // the first payment is now 24 h old
    expect((await call(course())).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(3);
  });

  it('limits only the currencies it lists', async () => {
    const { call } = await serve({ limits: { n8n: { per_day: { USD: 100 } } } });
    const guide = { ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_guide_eur', quantity: 3 }] };
    expect((await call(guide)).isError).toBeFalsy();
    expect((await call(course())).isError).toBe(true);
    expect(api.paymentPosts()).toBe(1);
  });

  it('gives a definite failure’s amount back, and keeps an unknown outcome’s', async () => {
    const { call } = await serve({ limits: { n8n: { per_day: { USD: 4900 } } } });
    const rejected = await call({ ...course(), billing: { country: 'AI' } });
    expect(resultText(rejected)).toContain('422 UNSUPPORTED_COUNTRY');
    api.script(answer.text(502, 'text/html', '<h1>Bad gateway</h1>'));
    expect(resultText(await call(course()))).toContain('502');
    const refused = await call(course());
    expect(resultText(refused)).toContain('per_day 49.00 USD for n8n, 0.00 USD left');
    expect(api.paymentPosts()).toBe(2);
  });

  it('counts a replay under an idempotency key once', async () => {
    const { call } = await serve({ limits: { n8n: { per_day: { USD: 9800 } } } });
    const first = withKey(course());
    expect((await call(first)).isError).toBeFalsy();
    expect((await call(first)).isError).toBeFalsy();
    expect((await call(first)).isError).toBeFalsy();
    expect((await call(withKey(course()))).isError).toBeFalsy();
    expect((await call(withKey(course()))).isError).toBe(true);
    expect(api.paymentPosts()).toBe(2);
  });

  it('counts a retry that resolves an unknown outcome, and a recovered payment, once', async () => {
    const { call } = await serve({ limits: { n8n: { per_day: { USD: 14700 } } } }, { reconcileMs: 1_000 });
    const paymentsBefore = api.payments.size;
    // A first payment (its price read now, so the scripted answers below meet the POSTs).
    expect((await call(course())).isError).toBeFalsy();
    // Lost, never created: the retry under the key looks, then sends its one POST.
    api.script(answer.text(502, 'text/html', '<h1>Bad gateway</h1>'));
    const lost = withKey(course());
    expect((await call(lost)).isError).toBe(true);
    expect((await call(lost)).isError).toBeFalsy();
    // Lost but created: found by its reference.
    api.script(answer.committedThen(answer.text(502, 'text/html', '<h1>Bad gateway</h1>')));
    const recovered = await call(withKey(course()));
    expect(resultText(recovered)).toMatch(/^Recovered:/);
    expect(resultText(await call(withKey(course())))).toContain('per_day 147.00 USD for n8n, 0.00 USD left');
    expect(api.paymentPosts()).toBe(4);
    expect(api.payments.size - paymentsBefore).toBe(3);
  });
});

describe('payments_per_hour', () => {
  it('holds a rolling count of the last hour', async () => {
    const { call } = await serve({ limits: { n8n: { payments_per_hour: 2 } } });
    await call(course());
    clock += HOUR / 2;
    await call(course());
    expect(resultText(await call(course()))).toBe(
      'Refused by policy: payments_per_hour 2 for n8n, 0 left in the last hour; nothing was sent.',
    );
    expect(api.paymentPosts()).toBe(2);
    clock += HOUR / 2;
    expect((await call(course())).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(3);
    // No amount rule: no product is read.
    expect(api.requests.filter((request) => request.path.startsWith('/products/'))).toEqual([]);
  });

  it('applies per credential: another credential has its own count', async () => {
    const policy = { limits: { default: { payments_per_hour: 1 } } };
    const n8n = await serve(policy);
    await n8n.call(course());
    expect((await n8n.call(course())).isError).toBe(true);
    const session = await connectClient(createServer(n8n.shared, { credential: 'zapier' }));
    sessions.push(session);
    expect((await session.call(course())).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);
  });
});

describe('saved_payment_methods', () => {
  const saved = { ...SAMPLE_PAYMENT, customer: { customer_id: 'cus_1' }, payment_method_id: 'pm_1' };

  it('is off by default in live mode, with or without a policy file: nothing is sent', async () => {
    for (const policy of [undefined, { limits: { default: { payments_per_hour: 100 } } }]) {
      const { call } = await serve(policy, { environment: 'live_mode', credential: 'stdio' });
      expect(resultText(await call(saved))).toBe(
        'Refused by policy: saved_payment_methods is off for stdio: payment_method_id may not be used; send a payment_link instead; nothing was sent.',
      );
      expect((await call(SAMPLE_PAYMENT)).isError).toBeFalsy();
    }
    expect(api.paymentPosts()).toBe(2);
  });

  it('is on by default in test mode, and a live credential may be given it', async () => {
    const { call } = await serve(undefined, { credential: 'stdio' });
    expect((await call(saved)).isError).toBeFalsy();
    const live = await serve({ limits: { stdio: { saved_payment_methods: true } } }, { environment: 'live_mode', credential: 'stdio' });
    expect((await live.call(saved)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);
  });
});

describe('live_mode_paused', () => {
  it('refuses every live payment while the read tools keep working; a reload resumes them', async () => {
    const { call, session, rewrite } = await serve({ live_mode_paused: true }, { environment: 'live_mode' });
    expect(resultText(await call(SAMPLE_PAYMENT))).toBe(
      'Refused by policy: live payments are paused by the operator (live_mode_paused); nothing was sent.',
    );
    expect((await session.call({}, 'list_products')).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(0);
    rewrite({ live_mode_paused: false });
    expect((await call(SAMPLE_PAYMENT)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(1);
  });

  it('does not pause test mode', async () => {
    const { call } = await serve({ live_mode_paused: true });
    expect((await call(SAMPLE_PAYMENT)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(1);
  });

  it('leaves an unknown outcome under its key unresolved, sending nothing, until payments resume', async () => {
    const { call, rewrite } = await serve({}, { environment: 'live_mode', reconcileMs: 1_000 });
    api.script(answer.text(502, 'text/html', '<h1>Bad gateway</h1>'));
    const lost = withKey(SAMPLE_PAYMENT);
    expect((await call(lost)).isError).toBe(true);
    rewrite({ live_mode_paused: true });
    expect((await call(lost)).isError).toBe(true);
    expect(api.paymentPosts()).toBe(1);
    rewrite({ live_mode_paused: false });
    expect((await call(lost)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);
    expect(events).toContainEqual(expect.objectContaining({ event: 'spend_policy', rule: 'live_mode_paused', kept: 'unresolved' }));
  });
});

describe('reload', () => {
  it('keeps the policy in force when the new file is bad, logging one line that names the line and rule', async () => {
    const { call, shared } = await serve({ limits: { n8n: { payments_per_hour: 1 } } });
    await call(course());
    const policyFile = shared.config.policyFile as string;
    writeFileSync(policyFile, '{\n  "limits": { "n8n": { "payments_per_hour": -1 } }\n}');
    shared.spend.reload(logger);
    expect(events.filter((event) => event.event === 'policy_reload_failed')).toEqual([
      expect.objectContaining({ level: 'warn', error: expect.stringContaining('line 2: limits.n8n.payments_per_hour: must be') }),
    ]);
    expect((await call(course())).isError).toBe(true);
    expect(api.paymentPosts()).toBe(1);
  });
});

describe('the tool description', () => {
  it('states the caller’s limits in one line, and nothing without any', async () => {
    const { session } = await serve({
      limits: { n8n: { max_payment: { USD: 10000, EUR: 9000 }, per_day: { USD: 30000 }, payments_per_hour: 10 } },
    });
    const { tools } = await session.client.listTools();
    expect(tools[0]?.description).toContain('Your limits: 100.00 USD or 90.00 EUR/payment, 300.00 USD/24 h, 10 payments/hour.');
    const open = await serve(undefined);
    expect((await open.session.client.listTools()).tools[0]?.description).not.toContain('Your limits');
  });
});
