import { describe, expect, it } from 'vitest';
import { PAYMENT_METHOD_TYPES } from '../src/dodo/dodo-enums.js';
import { decodeJsonStringArguments, fieldPath, MAX_ARGUMENT_DEPTH, validateArguments } from '../src/schema/argument-validation.js';
import { paymentInputSchema } from '../src/tools/create-one-time-payment/input-schema.js';

const valid = {
  billing: { country: 'US' },
  customer: { email: 'ada@example.com' },
  product_cart: [{ product_id: 'pdt_1', quantity: 1 }],
};

const problemsFor = (args: unknown) => {
  const result = validateArguments(paymentInputSchema(), args);
  if (result.ok) throw new Error(`expected a rejection of ${JSON.stringify(args)}`);
  return result.problems;
};
const accept = (args: unknown) => {
  const result = validateArguments(paymentInputSchema(), args);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
};

describe('payment input schema', () => {
  it('accepts the minimal payment and defaults payment_link to true', () => {
    expect(accept(valid)).toEqual({ ...valid, payment_link: true });
  });

  it('keeps an explicit payment_link false', () => {
    expect(accept({ ...valid, payment_link: false }).payment_link).toBe(false);
  });

  it('accepts every optional field of the endpoint under its API name', () => {
    const full = {
      billing: { country: 'IN', city: 'Pune', state: 'MH', street: '1 Main Rd', zipcode: '411001' },
      customer: { email: 'ada@example.com', name: 'Ada', phone_number: '+919999999999' },
      product_cart: [{ product_id: 'pdt_1', quantity: 2, amount: 0 }],
      allowed_payment_method_types: ['credit', 'upi_collect'],
      billing_currency: 'INR',
      discount_codes: ['WELCOME'],
      metadata: [{ key: 'order', value: '42' }],
      payment_link: true,
      short_link: true,
      return_url: 'https://example.com/thanks',
      redirect_immediately: false,
      require_phone_number: true,
      show_saved_payment_methods: false,
      tax_id: 'GSTIN123',
      customer_business_name: 'Ada Ltd',
      force_3ds: true,
      adaptive_currency_fees_inclusive: false,
    };
    expect(accept(full)).toEqual({ ...full, metadata: { order: '42' } });
  });

  it('maps an existing customer to {customer_id} and a new one to {email, name, phone_number}', () => {
    expect(accept({ ...valid, customer: { customer_id: 'cus_1' } }).customer).toEqual({ customer_id: 'cus_1' });
    expect(accept({ ...valid, customer: { email: 'a@b.co', name: 'A' } }).customer).toEqual({ email: 'a@b.co', name: 'A' });
  });

  it('allows payment_method_id with an existing customer', () => {
    expect(accept({ ...valid, customer: { customer_id: 'cus_1' }, payment_method_id: 'pm_1' }).payment_method_id).toBe('pm_1');
  });

  it.each([
    ['missing everything', {}, ['billing: is required', 'customer: is required', 'product_cart: is required']],
    ['missing country', { ...valid, billing: {} }, ['billing.country: is required']],
    [
      'a country name',
      { ...valid, billing: { country: 'Germany' } },
      ['billing.country: "Germany" is not an ISO 3166-1 alpha-2 code; did you mean DE?'],
    ],
    [
      'a lowercase country',
      { ...valid, billing: { country: 'us' } },
      ['billing.country: "us" is not an ISO 3166-1 alpha-2 code; did you mean US?'],
    ],
    [
      'a misspelt country name',
      { ...valid, billing: { country: 'Grmany' } },
      ['billing.country: "Grmany" is not an ISO 3166-1 alpha-2 code; did you mean DE?'],
    ],
    [
      'an unknown country code',
      { ...valid, billing: { country: 'XX' } },
      ['billing.country: "XX" is not an ISO 3166-1 alpha-2 code; use e.g. US, IN, DE.'],
    ],
    ['a numeric country', { ...valid, billing: { country: 49 } }, ['billing.country: must be an ISO 3166-1 alpha-2 code (a string)']],
    ['a non-string city', { ...valid, billing: { country: 'US', city: 5 } }, ['billing.city: must be a string']],
    ['an unknown billing field', { ...valid, billing: { country: 'US', line2: 'x' } }, ['billing.line2: unknown field; remove it']],
    ['an unknown top-level field', { ...valid, amount: 100 }, ['amount: unknown field; remove it']],
    ['the deprecated discount_code', { ...valid, discount_code: 'X' }, ['discount_code: unknown field; remove it']],
    [
      'neither customer_id nor email',
      { ...valid, customer: { name: 'Ada' } },
      ['customer: give exactly one of customer_id (an existing customer) or email (a new customer)'],
    ],
    [
      'both customer_id and email',
      { ...valid, customer: { customer_id: 'c', email: 'a@b.co' } },
      ['customer: give exactly one of customer_id (an existing customer) or email (a new customer)'],
    ],
    [
      'a name with customer_id',
      { ...valid, customer: { customer_id: 'c', name: 'A' } },
      ['customer.name: only goes with email (a new customer); an existing customer_id keeps its own details'],
    ],
    [
      'a phone with customer_id',
      { ...valid, customer: { customer_id: 'c', phone_number: '+1' } },
      ['customer.phone_number: only goes with email (a new customer); an existing customer_id keeps its own details'],
    ],
    ['an empty customer_id', { ...valid, customer: { customer_id: '' } }, ['customer.customer_id: must not be empty']],
    [
      'an invalid email',
      { ...valid, customer: { email: 'ada-at-example' } },
      ['customer.email: must be a valid email address such as ada@example.com'],
    ],
    [
      'an unknown customer field',
      { ...valid, customer: { email: 'a@b.co', create_new_customer: true } },
      ['customer.create_new_customer: unknown field; remove it'],
    ],
    ['an empty cart', { ...valid, product_cart: [] }, ['product_cart: must have at least 1 item']],
    [
      '101 items',
      { ...valid, product_cart: Array.from({ length: 101 }, () => ({ product_id: 'p', quantity: 1 })) },
      ['product_cart: must have at most 100 items'],
    ],
    [
      'an empty product_id',
      { ...valid, product_cart: [{ product_id: '', quantity: 1 }] },
      ['product_cart[0].product_id: must not be empty'],
    ],
    [
      'quantity 0',
      { ...valid, product_cart: [{ product_id: 'p', quantity: 0 }] },
      ['product_cart[0].quantity: must be a whole number of at least 1'],
    ],
    [
      'quantity 1.5',
      { ...valid, product_cart: [{ product_id: 'p', quantity: 1.5 }] },
      ['product_cart[0].quantity: must be a whole number of at least 1'],
    ],
    [
      'quantity as text',
      { ...valid, product_cart: [{ product_id: 'p', quantity: '2' }] },
      ['product_cart[0].quantity: must be a whole number of at least 1'],
    ],
    ['a missing product_id', { ...valid, product_cart: [{ quantity: 1 }] }, ['product_cart[0].product_id: is required']],
    ['a missing quantity', { ...valid, product_cart: [{ product_id: 'p' }] }, ['product_cart[0].quantity: is required']],
    [
      'a negative amount',
      { ...valid, product_cart: [{ product_id: 'p', quantity: 1, amount: -1 }] },
      ['product_cart[0].amount: must be a whole number ≥ 0 in the smallest currency unit'],
    ],
    [
      'a decimal amount',
      { ...valid, product_cart: [{ product_id: 'p', quantity: 1, amount: 19.99 }] },
      ['product_cart[0].amount: must be a whole number ≥ 0 in the smallest currency unit'],
    ],
    [
      'an unknown payment method',
      { ...valid, allowed_payment_method_types: ['card'] },
      [
        `allowed_payment_method_types[0]: "card" is not a Dodo payment method type; use e.g. credit, debit, upi_collect, apple_pay, google_pay. Allowed: ${PAYMENT_METHOD_TYPES.join(', ')}.`,
      ],
    ],
    [
      'a misspelt payment method',
      { ...valid, allowed_payment_method_types: ['applepay'] },
      [
        `allowed_payment_method_types[0]: "applepay" is not a Dodo payment method type; did you mean apple_pay? Allowed: ${PAYMENT_METHOD_TYPES.join(', ')}.`,
      ],
    ],
    [
      'a repeated payment method',
      { ...valid, allowed_payment_method_types: ['credit', 'credit'] },
      ['allowed_payment_method_types: must not repeat a method'],
    ],
    [
      'an empty method list',
      { ...valid, allowed_payment_method_types: [] },
      ['allowed_payment_method_types: must list at least 1 method (leave it out to allow all)'],
    ],
    [
      'an unknown currency',
      { ...valid, billing_currency: 'usd' },
      ['billing_currency: "usd" is not an ISO 4217 currency code; did you mean USD?'],
    ],
    [
      'a currency name',
      { ...valid, billing_currency: 'euro' },
      ['billing_currency: "euro" is not an ISO 4217 currency code; did you mean EUR?'],
    ],
    [
      'an unknown currency code',
      { ...valid, billing_currency: 'ABC' },
      ['billing_currency: "ABC" is not an ISO 4217 currency code; use e.g. USD, EUR, INR.'],
    ],
    [
      '21 discount codes',
      { ...valid, discount_codes: Array.from({ length: 21 }, (_, i) => `C${i}`) },
      ['discount_codes: must have at most 20 codes'],
    ],
    ['an empty discount code', { ...valid, discount_codes: [''] }, ['discount_codes[0]: must not be empty']],
    ['a numeric metadata value', { ...valid, metadata: [{ key: 'order', value: 42 }] }, ['metadata[0].value: must be a string']],
    [
      'a long metadata key',
      { ...valid, metadata: [{ key: 'k'.repeat(41), value: 'v' }] },
      ['metadata[0].key: must be at most 40 characters'],
    ],
    [
      'a long metadata value',
      { ...valid, metadata: [{ key: 'k', value: 'v'.repeat(501) }] },
      ['metadata[0].value: must be at most 500 characters'],
    ],
    [
      "50 metadata entries (Dodo allows 50; one is the server's reference)",
      { ...valid, metadata: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
      ['metadata: must have at most 49 entries'],
    ],
    ['an empty metadata key', { ...valid, metadata: [{ key: '', value: 'v' }] }, ['metadata[0].key: must not be empty']],
    [
      'a repeated metadata key',
      {
        ...valid,
        metadata: [
          { key: 'order', value: '1' },
          { key: 'order', value: '2' },
        ],
      },
      ['metadata[1].key: repeats "order"'],
    ],
    [
      'the reserved metadata key mcp_ref',
      { ...valid, metadata: [{ key: 'mcp_ref', value: 'mine' }] },
      ['metadata[0].key: "mcp_ref" is reserved (the server\'s payment reference); use another key'],
    ],
    ...['__proto__', 'constructor', 'prototype'].map((key): [string, unknown, string[]] => [
      `the reserved metadata key ${key}`,
      { ...valid, metadata: [{ key, value: '{"polluted":true}' }] },
      [`metadata[0].key: "${key}" is reserved (a JavaScript object key); use another key`],
    ]),
    [
      'metadata neither a list nor a map',
      { ...valid, metadata: 'order 42' },
      ['metadata: must be a list of {key, value} pairs (or an object of string values)'],
    ],
    ['a numeric value in metadata as a map', { ...valid, metadata: { order: 42 } }, ['metadata.order: must be a string']],
    [
      'the reserved key in metadata as a map',
      { ...valid, metadata: { a: '1', mcp_ref: 'mine' } },
      ['metadata[1].key: "mcp_ref" is reserved (the server\'s payment reference); use another key'],
    ],
    [
      'a non-URL return_url',
      { ...valid, return_url: 'thanks page' },
      ['return_url: must be an http(s) URL such as https://example.com/thanks'],
    ],
    [
      'a javascript: return_url',
      { ...valid, return_url: 'javascript:alert(1)' },
      ['return_url: must be an http(s) URL such as https://example.com/thanks'],
    ],
    ['a string flag', { ...valid, force_3ds: 'yes' }, ['force_3ds: must be true or false']],
    ['null for a required field (null means absent)', { ...valid, billing: null }, ['billing: is required']],
    ['a null cart item (array items are not optional)', { ...valid, product_cart: [null] }, ['product_cart[0]: must be an object']],
    [
      'payment_method_id with a new customer',
      { ...valid, payment_method_id: 'pm_1' },
      ['payment_method_id: requires customer.customer_id (a saved payment method belongs to an existing customer)'],
    ],
    ['arguments that are not an object', 'pay please', ['arguments: must be an object']],
  ])('rejects %s, naming the field', (_name, args, problems) => {
    expect(problemsFor(args)).toEqual(problems);
  });

  it('refuses a __proto__ field as JSON.parse makes it (an own property), at any depth, instead of dropping it', () => {
    const args = JSON.parse(
      '{"__proto__":{"polluted":true},"billing":{"country":"US","__proto__":{}},"customer":{"email":"a@b.co"},"product_cart":[{"product_id":"p","quantity":1}]}',
    );
    expect(problemsFor(args)).toEqual(['billing.__proto__: unknown field; remove it', '__proto__: unknown field; remove it']);
  });

  it('reports every problem at once, one line each', () => {
    expect(
      problemsFor({ billing: { country: 'XX' }, customer: { email: 'bad' }, product_cart: [{ product_id: 'p', quantity: 0 }] }),
    ).toEqual([
      'billing.country: "XX" is not an ISO 3166-1 alpha-2 code; use e.g. US, IN, DE.',
      'customer.email: must be a valid email address such as ada@example.com',
      'product_cart[0].quantity: must be a whole number of at least 1',
    ]);
  });
});

describe('metadata as a map', () => {
  it("accepts Dodo's own shape, {key: value}, as well as the advertised list of pairs", () => {
    expect(accept({ ...valid, metadata: { order_id: 'A-17', channel: 'agent' } }).metadata).toEqual({ order_id: 'A-17', channel: 'agent' });
    expect(accept({ ...valid, metadata: '{"order_id":"A-17"}' }).metadata).toEqual({ order_id: 'A-17' });
    expect(accept({ ...valid, metadata: {} }).metadata).toEqual({});
  });
});

describe('deeply nested arguments', () => {
  const nested = (depth: number, leaf: unknown = 'x'): unknown => {
    let value = leaf;
    for (let level = 0; level < depth; level++) value = [value];
    return value;
  };

  it('refuses 200,000 levels of nesting with one line naming where, without overflowing the stack', () => {
    const problems = problemsFor({ ...valid, metadata: nested(200_000) });
    expect(problems).toEqual([
      `metadata${'[0]'.repeat(MAX_ARGUMENT_DEPTH - 1)}: nested more than ${MAX_ARGUMENT_DEPTH} levels deep; no field of this tool nests so deep`,
    ]);
    expect(problemsFor(JSON.parse(`${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`))).toHaveLength(1);
  });

  it('leaves nesting within the bound to the schema', () => {
    expect(problemsFor({ ...valid, metadata: nested(MAX_ARGUMENT_DEPTH - 2) })[0]).toMatch(/^metadata\[0\]: must be an object/);
  });
});

describe('JSON-string arguments', () => {
  it('accepts billing, customer, product_cart, metadata and arrays sent as JSON strings', () => {
    const value = accept({
      billing: '{"country":"DE"}',
      customer: ' {"email":"ada@example.com"}',
      product_cart: '[{"product_id":"pdt_1","quantity":1}]',
      metadata: '[{"key":"order","value":"42"}]',
      allowed_payment_method_types: '["credit"]',
      discount_codes: '["WELCOME"]',
    });
    expect(value).toMatchObject({
      billing: { country: 'DE' },
      customer: { email: 'ada@example.com' },
      product_cart: [{ product_id: 'pdt_1', quantity: 1 }],
      metadata: { order: '42' },
      allowed_payment_method_types: ['credit'],
      discount_codes: ['WELCOME'],
    });
  });

  it('accepts cart items that are themselves JSON strings', () => {
    expect(accept({ ...valid, product_cart: ['{"product_id":"pdt_1","quantity":3}'] }).product_cart).toEqual([
      { product_id: 'pdt_1', quantity: 3 },
    ]);
  });

  it('rejects a string that does not parse to the right shape, naming the field', () => {
    expect(problemsFor({ ...valid, billing: '{"country":' })).toEqual(['billing: must be an object']);
    expect(problemsFor({ ...valid, product_cart: '{"product_id":"p","quantity":1}' })).toEqual(['product_cart: must be an array']);
  });

  it('leaves plain strings alone', () => {
    expect(decodeJsonStringArguments({ tax_id: '{not json', return_url: 'https://x.io' })).toEqual({
      tax_id: '{not json',
      return_url: 'https://x.io',
    });
  });
});

describe('fieldPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(fieldPath(['product_cart', 0, 'quantity'])).toBe('product_cart[0].quantity');
    expect(fieldPath([])).toBe('arguments');
    expect(fieldPath([' '])).toBe('arguments[" "]');
    expect(fieldPath(['metadata', 'my key'])).toBe('metadata["my key"]');
  });
});

describe('null means absent (strict-mode clients send every property, null for the ones left out)', () => {
  it('accepts strict-shaped arguments at every depth and sends none of the nulls', () => {
    const strictShaped = {
      billing: { country: 'US', city: null, state: null, street: null, zipcode: null },
      customer: { customer_id: null, email: 'ada@example.com', name: null, phone_number: null },
      product_cart: [{ product_id: 'pdt_1', quantity: 1, amount: null }],
      allowed_payment_method_types: null,
      billing_currency: null,
      discount_codes: null,
      metadata: null,
      payment_link: null,
      short_link: null,
      return_url: null,
      redirect_immediately: null,
      require_phone_number: null,
      show_saved_payment_methods: null,
      tax_id: null,
      customer_business_name: null,
      force_3ds: null,
      adaptive_currency_fees_inclusive: null,
      payment_method_id: null,
      idempotency_key: null,
    };
    expect(accept(strictShaped)).toEqual({ ...valid, payment_link: true });
  });

  it('reads the customer rule on the fields given, so an existing customer with null email is accepted', () => {
    expect(
      accept({ ...valid, customer: { customer_id: 'cus_1', email: null, name: null, phone_number: null }, payment_method_id: 'pm_1' }),
    ).toMatchObject({ customer: { customer_id: 'cus_1' }, payment_method_id: 'pm_1' });
  });

  it('keeps a null metadata value an error (a pair needs its value)', () => {
    expect(problemsFor({ ...valid, metadata: [{ key: 'order', value: null }] })).toEqual(['metadata[0].value: is required']);
  });
});

describe('string bounds (every text field has a limit, so nothing huge is sent or echoed back)', () => {
  const long = (length: number) => 'x'.repeat(length);
  it.each([
    ['billing.city', { billing: { country: 'US', city: long(101) } }, 100],
    ['billing.state', { billing: { country: 'US', state: long(101) } }, 100],
    ['billing.street', { billing: { country: 'US', street: long(256) } }, 255],
    ['billing.zipcode', { billing: { country: 'US', zipcode: long(21) } }, 20],
    ['customer.name', { customer: { email: 'a@b.co', name: long(256) } }, 255],
    ['customer.phone_number', { customer: { email: 'a@b.co', phone_number: long(33) } }, 32],
    ['customer.customer_id', { customer: { customer_id: long(129) } }, 128],
    ['product_cart[0].product_id', { product_cart: [{ product_id: long(129), quantity: 1 }] }, 128],
    ['discount_codes[0]', { discount_codes: [long(65)] }, 64],
    ['tax_id', { tax_id: long(65) }, 64],
    ['customer_business_name', { customer_business_name: long(256) }, 255],
    ['payment_method_id', { customer: { customer_id: 'cus_1' }, payment_method_id: long(129) }, 128],
    ['idempotency_key', { idempotency_key: long(256) }, 255],
  ])('%s', (field, overrides, limit) => {
    expect(problemsFor({ ...valid, ...overrides })).toEqual([`${field}: must be at most ${limit} characters`]);
    const atLimit = JSON.parse(JSON.stringify({ ...valid, ...overrides }).replace(long(limit + 1), long(limit)));
    expect(validateArguments(paymentInputSchema(), atLimit).ok).toBe(true);
  });

  it('bounds the email (254 characters, 64 before the @)', () => {
    const domain = `${long(60)}.${long(60)}.${long(60)}.${long(60)}.${long(60)}.com`;
    expect(problemsFor({ ...valid, customer: { email: `ada@${domain}` } })).toEqual(['customer.email: must be at most 254 characters']);
    expect(problemsFor({ ...valid, customer: { email: `${long(65)}@example.com` } })).toEqual([
      'customer.email: the part before @ must be at most 64 characters',
    ]);
    expect(accept({ ...valid, customer: { email: `${long(64)}@example.com` } }).customer).toEqual({ email: `${long(64)}@example.com` });
  });
});
