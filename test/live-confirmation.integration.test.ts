// Confirmation before a live payment: elicitation through a real MCP client, and the summary it shows.

import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Product } from 'dodopayments/resources/products/products';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/config.js';
import { formatAmount } from '../src/payments/money.js';
import { describeLivePayment } from '../src/tools/create-one-time-payment/live-confirmation.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import {
  type ClientOptions,
  connectInProcess,
  resultText,
  SAMPLE_PAYMENT,
  type TestDependencies,
  testConfig,
} from './support/in-process.js';
import { endedByTimeout } from './support/timeout.js';

const api = useFakeDodoApi();
afterEach(() => {
  api.requests.length = 0;
});

const FORM_CAPABLE = { elicitation: { form: {} } };
const liveConfig = (overrides: Partial<Config> = {}) => testConfig({ baseUrl: api.url, environment: 'live_mode', ...overrides });

/** Calls create_one_time_payment with a client that answers elicitation as given; returns what it was asked. */
async function callWith(config: Config, client: ClientOptions, args: object = SAMPLE_PAYMENT) {
  const { session, asked } = await connectAsking(config, client);
  const result = await session.call(args);
  return { result, asked, session };
}

/** A session whose client answers elicitation as given; `asked` collects what it was asked. */
async function connectAsking(config: Config, client: ClientOptions, dependencies: TestDependencies = {}) {
  const asked: ElicitRequest[] = [];
  const onElicit = client.onElicit;
  const session = await connectInProcess(config, dependencies, {
    ...client,
    ...(onElicit && {
      onElicit: (request: ElicitRequest) => {
        asked.push(request);
        return onElicit(request);
      },
    }),
  });
  return { session, asked };
}

const answering = (result: ElicitResult): ClientOptions => ({ capabilities: FORM_CAPABLE, onElicit: async () => result });

describe('confirmation before a live payment', () => {
  it('asks with the customer, the items and the expected total, and creates the payment once confirmed', async () => {
    const { result, asked, session } = await callWith(liveConfig(), answering({ action: 'accept', content: { confirm: true } }));
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ environment: 'live_mode', payment_id: expect.stringMatching(/^pay_/) });
    expect(asked).toHaveLength(1);
    const { message, requestedSchema } = (asked[0]?.params ?? {}) as { message?: string; requestedSchema?: object };
    expect(message).toBe(
      [
        'Create a LIVE payment for new customer ada@example.com? The customer is charged real money when they pay.',
        '• 2 × E-book (pdt_ebook) at 15.00 USD',
        '• 1 × Pro course (pdt_course_pro) at 49.00 USD',
        'Expected total: 79.00 USD (before tax and discounts).',
      ].join('\n'),
    );
    expect(requestedSchema).toMatchObject({ type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] });
    expect(api.paymentPosts()).toBe(1);
    await session.close();
  });

  it.each<[string, ElicitResult, string]>([
    ['declines', { action: 'decline' }, 'The user declined this live payment. Nothing was sent'],
    ['accepts without ticking the box', { action: 'accept', content: { confirm: false } }, 'The user declined this live payment'],
    ['cancels', { action: 'cancel' }, 'The user dismissed the confirmation of this live payment. Nothing was sent.'],
    [
      'answers with a malformed form ({confirm: "yes"})',
      { action: 'accept', content: { confirm: 'yes' } },
      "The client's answer to the confirmation of this live payment could not be read (not a yes or no). Nothing was sent",
    ],
  ])('sends nothing when the user %s', async (_name, answer, message) => {
    const { result, session } = await callWith(liveConfig(), answering(answer));
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain(message);
    expect(api.paymentPosts()).toBe(0);
    await session.close();
  });

  it('sends nothing when the user never answers, and says so', async () => {
    let askedUser!: () => void;
    const question = new Promise<void>((resolve) => (askedUser = resolve));
    const neverAnswering: ClientOptions = {
      capabilities: FORM_CAPABLE,
      onElicit: () => {
        askedUser();
        return new Promise(() => {});
      },
    };
    const { session } = await connectAsking(liveConfig(), neverAnswering, { confirmationTimeoutMs: 5_000 });
    const result = await endedByTimeout(
      5_000,
      () => session.call(SAMPLE_PAYMENT),
      () => question,
    );
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('No confirmation of this live payment within 5 s. Nothing was sent');
    expect(api.paymentPosts()).toBe(0);
    await session.close();
  });

  it('does not block a client without form elicitation (it asks the user before tool calls itself)', async () => {
    const { result, asked, session } = await callWith(liveConfig(), {});
    expect(result.isError).toBeFalsy();
    expect(asked).toHaveLength(0);
    expect(api.paymentPosts()).toBe(1);
    await session.close();
  });

  it('never asks in test mode', async () => {
    const { result, asked, session } = await callWith(testConfig({ baseUrl: api.url }), answering({ action: 'decline' }));
    expect(result.isError).toBeFalsy();
    expect(asked).toHaveLength(0);
    await session.close();
  });

  it('never asks with DODO_PAYMENTS_CONFIRM=never', async () => {
    const { result, asked, session } = await callWith(liveConfig({ confirm: 'never' }), answering({ action: 'decline' }));
    expect(result.isError).toBeFalsy();
    expect(asked).toHaveLength(0);
    await session.close();
  });

  it('asks once per idempotency key: a replay returns the result without asking again', async () => {
    const args = { ...SAMPLE_PAYMENT, idempotency_key: 'live-1' };
    const { session, asked } = await callWith(liveConfig(), answering({ action: 'accept', content: { confirm: true } }), args);
    expect((await session.call(args)).isError).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(api.paymentPosts()).toBe(1);
    await session.close();
  });
});

const oneTime = (name: string, price: number, currency: string, payWhatYouWant = false) =>
  ({ name, price: { type: 'one_time_price', price, currency, pay_what_you_want: payWhatYouWant } }) as unknown as Product;

describe('describeLivePayment', () => {
  it('uses the pay-what-you-want amount and names an existing customer', () => {
    const text = describeLivePayment(
      { billing: { country: 'JP' }, customer: { customer_id: 'cus_1' }, product_cart: [{ product_id: 'p', quantity: 3, amount: 500 }] },
      new Map([['p', oneTime('Tip', 0, 'JPY', true)]]),
    );
    expect(text).toContain('for existing customer cus_1');
    expect(text).toContain('• 3 × Tip (p) at 500 JPY');
    expect(text).toContain('Expected total: 1500 JPY');
  });

  it('says the total is not available when a price is unknown or currencies differ', () => {
    const request = {
      billing: { country: 'US' as const },
      customer: { email: 'a@b.co' },
      product_cart: [
        { product_id: 'a', quantity: 1 },
        { product_id: 'b', quantity: 1 },
      ],
    };
    expect(describeLivePayment(request, new Map([['a', oneTime('A', 100, 'USD')]]))).toContain('• 1 × b\n');
    expect(describeLivePayment(request, new Map([['a', oneTime('A', 100, 'USD')]]))).toContain('Expected total: not available');
    expect(
      describeLivePayment(
        request,
        new Map([
          ['a', oneTime('A', 100, 'USD')],
          ['b', oneTime('B', 100, 'EUR')],
        ]),
      ),
    ).toContain('Expected total: not available');
  });
});

describe('formatAmount', () => {
  it("writes the smallest unit in the currency's main unit", () => {
    expect(formatAmount(4900, 'USD')).toBe('49.00 USD');
    expect(formatAmount(1500, 'JPY')).toBe('1500 JPY');
    expect(formatAmount(1234, 'KWD')).toBe('1.234 KWD');
  });
});
