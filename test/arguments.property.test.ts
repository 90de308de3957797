// Property: whatever arguments a model sends, the server answers (no crash, no hang), sends only
// bodies that satisfy the schema, and every rejection names a field.

import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateArguments } from '../src/schema/argument-validation.js';
import { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from '../src/tools/create-one-time-payment/dodo-enums.js';
import { paymentInputSchema } from '../src/tools/create-one-time-payment/input-schema.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, type InProcessSession, resultText, testConfig } from './support/in-process.js';

const api = useFakeDodoApi();
let session: InProcessSession;
beforeAll(async () => {
  session = await connectInProcess(testConfig({ baseUrl: api.url }));
});
afterAll(() => session.close());

/** Usually a valid value, sometimes an invalid one (by default: anything at all). */
// An unbiased draw keeps the odds as written (fast-check's bias favours edge values such as 0).
const oneIn = <T>(odds: number, rare: fc.Arbitrary<T>, usual: fc.Arbitrary<T>) =>
  fc.noBias(fc.nat({ max: odds - 1 })).chain((draw) => (draw === 0 ? rare : usual));
const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown> = fc.anything()) => oneIn<unknown>(20, invalid, valid);
const sometimesAsJsonString = (value: fc.Arbitrary<unknown>) =>
  oneIn(
    6,
    value.map((v) => JSON.stringify(v) ?? ''),
    value,
  );

const cartItem = fc.record(
  {
    product_id: mostly(fc.constantFrom('pdt_ebook', 'pdt_course_pro', 'pdt_tip_jar', 'pdt_missing'), fc.constantFrom('', 7)),
    quantity: mostly(fc.integer({ min: 1, max: 3 }), fc.oneof(fc.integer({ min: -1, max: 0 }), fc.double(), fc.string())),
    amount: mostly(fc.integer({ min: 0, max: 5000 }), fc.oneof(fc.integer({ max: -1 }), fc.double())),
  },
  { requiredKeys: ['product_id', 'quantity'] },
);

const requiredFields = fc.record({
  billing: sometimesAsJsonString(
    mostly(
      fc.record({ country: mostly(fc.constantFrom(...COUNTRY_CODES), fc.string()), city: fc.string() }, { requiredKeys: ['country'] }),
    ),
  ),
  customer: sometimesAsJsonString(
    mostly(
      fc.oneof(
        fc.record({ customer_id: fc.constantFrom('cus_1', 'cus_2') }),
        fc.record(
          { email: fc.constantFrom('ada@example.com', 'b.c@shop.io'), name: fc.string(), phone_number: fc.string() },
          { requiredKeys: ['email'] },
        ),
      ),
      fc.oneof(fc.anything(), fc.record({ customer_id: fc.string(), email: fc.emailAddress() }), fc.record({ email: fc.string() })),
    ),
  ),
  product_cart: sometimesAsJsonString(mostly(fc.array(cartItem, { minLength: 1, maxLength: 4 }), fc.constantFrom([], 'none'))),
});

const optionalFields = fc.record(
  {
    allowed_payment_method_types: mostly(fc.uniqueArray(fc.constantFrom(...PAYMENT_METHOD_TYPES), { minLength: 1, maxLength: 3 })),
    billing_currency: mostly(fc.constantFrom(...CURRENCIES), fc.string()),
    discount_codes: mostly(fc.array(fc.string({ minLength: 1 }), { maxLength: 3 })),
    metadata: mostly(
      fc.dictionary(fc.string({ maxLength: 40 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
      fc.dictionary(fc.string({ minLength: 41, maxLength: 45 }), fc.anything(), { minKeys: 1, maxKeys: 2 }),
    ),
    return_url: mostly(fc.webUrl(), fc.string()),
    payment_link: mostly(fc.boolean()),
    force_3ds: mostly(fc.boolean()),
    tax_id: mostly(fc.string()),
    payment_method_id: fc.constantFrom('pm_1'),
    idempotency_key: mostly(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('', 'k'.repeat(256))),
  },
  { requiredKeys: [] },
);

const paymentArguments = fc
  .tuple(
    requiredFields,
    optionalFields,
    oneIn<Record<string, unknown> | undefined>(
      8,
      fc.dictionary(fc.string(), fc.anything(), { minKeys: 1, maxKeys: 2 }),
      fc.constant(undefined),
    ),
  )
  .map(([required, optional, extra]) => ({ ...(extra ?? {}), ...required, ...optional }));

const PROBLEM_LINE = /^(arguments|[A-Za-z_][A-Za-z0-9_]*)(\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*|\["(?:[^"\\]|\\.)*"\])*: \S/;

describe('any arguments', () => {
  it('get an answer, never an invalid body sent, and field-named rejections', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 6, arbitrary: paymentArguments }, { weight: 1, arbitrary: fc.anything() }), async (args) => {
        const sentBefore = api.requests.length;
        if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
          // Not an arguments object: a malformed tools/call, answered with a JSON-RPC invalid-params error.
          await expect(session.call(args)).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
          expect(api.requests.length).toBe(sentBefore);
          return;
        }
        const result = await session.call(args);
        expect(Array.isArray(result.content)).toBe(true);
        for (const request of api.requests.slice(sentBefore)) {
          expect(request.body).not.toHaveProperty('idempotency_key');
          // The server adds its reference (a key callers may not use); the rest is what the caller may send.
          const { metadata, ...sent } = request.body as { metadata: Record<string, string> };
          const { mcp_ref: reference, ...callerMetadata } = metadata;
          expect(reference).toMatch(/^[\w-]{24}$/);
          expect(validateArguments(paymentInputSchema, { ...sent, metadata: callerMetadata }).ok).toBe(true);
        }
        const text = resultText(result);
        if (text.startsWith('Invalid arguments') || text.startsWith("Refused by this server's rules")) {
          expect(api.requests.length).toBe(sentBefore);
          for (const line of text.split('\n').slice(1)) expect(line).toMatch(PROBLEM_LINE);
        }
      }),
      { numRuns: 400 },
    );
    // The generator must reach the API often enough for the "only valid bodies" half to mean something.
    expect(api.paymentPosts()).toBeGreaterThan(20);
    expect((await session.client.listTools()).tools).toHaveLength(3);
  });
});
