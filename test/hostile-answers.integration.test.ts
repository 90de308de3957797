// API answers that are 2xx but not what Dodo sends: every call still ends with a result the official client
// accepts (it checks structuredContent against the tool's outputSchema), and a created payment is always reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import { RESULT_BUDGET_BYTES } from '../src/tools/create-one-time-payment/payment-result.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, type InProcessSession, resultText, SAMPLE_PAYMENT, testConfig } from './support/in-process.js';

const api = useFakeDodoApi();
let session: InProcessSession;
beforeAll(async () => {
  session = await connectInProcess(testConfig({ baseUrl: api.url }), { sleep: async () => {} });
});
afterAll(() => session.close());

const LINK = 'https://checkout.example/pay_odd';

describe('create_one_time_payment: a created payment always reaches the agent', () => {
  it.each([
    ['total_amount null', { total_amount: null, payment_link: LINK }, 'total_amount left out: the API answered null'],
    ['total_amount missing', { payment_link: LINK }, 'total_amount left out: the API answered nothing'],
    ['total_amount a string', { total_amount: '4900', payment_link: LINK }, 'total_amount left out: the API answered the string "4900"'],
    ['total_amount a fraction', { total_amount: 49.5, payment_link: LINK }, 'total_amount left out: the API answered the number 49.5'],
    ['payment_link a number', { total_amount: 4900, payment_link: 42 }, 'payment_link left out: the API answered the number 42'],
    ['payment_link an object', { total_amount: 4900, payment_link: { url: LINK } }, 'payment_link left out: the API answered an object'],
  ])('%s: reported as created with its id and a note', async (_case, fields, note) => {
    api.script(answer.json(200, { payment_id: 'pay_odd', client_secret: 'pay_odd_secret', ...fields }));
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      payment_id: 'pay_odd',
      environment: 'test_mode',
      notes: [expect.stringContaining(note)],
    });
    expect(resultText(result)).toContain('pay_odd');
  });

  it('does not return client_secret; it returns the documented fields', async () => {
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.structuredContent).not.toHaveProperty('client_secret');
    expect(resultText(result)).not.toContain('secret');
    expect(Object.keys(result.structuredContent ?? {})).toEqual([
      'payment_id',
      'payment_link',
      'total_amount',
      'environment',
      'customer',
      'metadata',
      'product_cart',
      'expires_on',
    ]);
  });

  it('keeps id, link and amount and cuts the echo when the API answers megabytes', async () => {
    const huge = 'x'.repeat(3 * 1024 * 1024);
    api.script(
      answer.json(200, {
        payment_id: 'pay_big',
        payment_link: LINK,
        total_amount: 4900,
        customer: { customer_id: 'cus_1', name: huge },
        metadata: { note: huge },
        product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
      }),
    );
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.structuredContent).length).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
    expect(JSON.stringify(result).length).toBeLessThanOrEqual(2 * RESULT_BUDGET_BYTES + 1024);
    expect(result.structuredContent).toMatchObject({
      payment_id: 'pay_big',
      payment_link: LINK,
      total_amount: 4900,
      product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
      notes: [expect.stringMatching(/^Left out to keep this result small .*: (customer, metadata|metadata, customer)\.$/)],
    });
  });

  it('an id no client could use (over 255 characters) is an unknown outcome, not a result', async () => {
    api.script(answer.json(200, { payment_id: `pay_${'9'.repeat(300)}`, total_amount: 1 }));
    const result = await session.call(SAMPLE_PAYMENT);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('may or may not have been created');
  });
});

describe('malformed read answers are tool errors that name the problem', () => {
  it.each([
    [
      'a product name that is a number',
      { items: [{ product_id: 'pdt_1', name: 42, price: 1, currency: 'USD' }] },
      'items[0].name: must be a string (got a number)',
    ],
    ['a body that is an array', [{ product_id: 'pdt_1' }], 'body: must be an object (got an array)'],
    ['items that is not a list', { items: 'none' }, 'items: must be an array (got a string)'],
    ['a product without an id', { items: [{ name: 'x' }] }, 'items[0].product_id: is required'],
  ])('list_products: %s', async (_case, body, problem) => {
    api.script(answer.json(200, body));
    const result = await session.call({}, 'list_products');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('The Dodo API answered about the product list with something this server cannot read');
    expect(resultText(result)).toContain(problem);
  });

  it.each([
    ['a payment without a payment_id', { total_amount: 1, currency: 'USD' }, 'payment_id: is required'],
    ['a body that is an array', [], 'body: must be an object (got an array)'],
    ['a total_amount that is a string', { payment_id: 'pay_1', total_amount: '1' }, 'total_amount: must be a number (got a string)'],
    ['a status that is an object', { payment_id: 'pay_1', total_amount: 1, status: {} }, 'status: must be a string (got an object)'],
    ['a null body', null, 'body: must be an object (got null)'],
  ])('get_payment: %s', async (_case, body, problem) => {
    api.script(answer.json(200, body));
    const result = await session.call({ payment_id: 'pay_1' }, 'get_payment');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('The Dodo API answered about payment pay_1 with something this server cannot read');
    expect(resultText(result)).toContain(problem);
  });

  it('get_payment cuts a long error_message and echoes no extra cart fields', async () => {
    api.script(
      answer.json(200, {
        payment_id: 'pay_1',
        total_amount: 1,
        error_message: 'e'.repeat(1_000_000),
        product_cart: [{ product_id: 'pdt_1', quantity: 1, name: 'x'.repeat(1_000_000) }],
      }),
    );
    const result = await session.call({ payment_id: 'pay_1' }, 'get_payment');
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result).length).toBeLessThan(5_000);
    expect(result.structuredContent).toMatchObject({ product_cart: [{ product_id: 'pdt_1', quantity: 1 }] });
  });
});
