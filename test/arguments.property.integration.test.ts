// Properties: whatever arguments a model sends, the server answers (no crash, no hang), sends only
// bodies that satisfy the schema, and every rejection names a field; whatever the API answers, every call of
// every tool ends with a result the official client accepts (it checks structuredContent against outputSchema).

import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from '../src/dodo/dodo-enums.js';
import { validateArguments } from '../src/schema/argument-validation.js';
import { paymentInputSchema } from '../src/tools/create-one-time-payment/input-schema.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, type InProcessSession, resultText, SAMPLE_PAYMENT, TOOL_NAMES, testConfig } from './support/in-process.js';

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
      fc.uniqueArray(fc.record({ key: fc.string({ minLength: 1, maxLength: 40 }), value: fc.string({ maxLength: 10 }) }), {
        maxLength: 3,
        selector: (entry) => entry.key,
      }),
      fc.array(fc.record({ key: fc.string({ minLength: 41, maxLength: 45 }), value: fc.anything() }), { minLength: 1, maxLength: 2 }),
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

/** A sent body read back as tool arguments: Dodo's metadata map is the tool's list of pairs. */
function asToolArguments(body: unknown): unknown {
  const { metadata, ...rest } = body as { metadata?: Record<string, string> };
  return metadata === undefined ? rest : { ...rest, metadata: Object.entries(metadata).map(([key, value]) => ({ key, value })) };
}

const PROBLEM_LINE = /^(arguments|[A-Za-z_][A-Za-z0-9_]*)(\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*|\["(?:[^"\\]|\\.)*"\])*: \S/;

// A property test is bounded by its number of runs; the time limit only catches a hang, never a slow machine.
const PROPERTY_TEST_TIMEOUT_MS = 10 * 60 * 1000;

describe('any arguments', () => {
  it(
    'get an answer, never an invalid body sent, and field-named rejections',
    async () => {
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
          for (const request of api.requests.slice(sentBefore).filter((sent) => sent.method === 'POST')) {
            expect(request.body).not.toHaveProperty('idempotency_key');
            // The server adds its reference (a key callers may not use); the rest is what the caller may send.
            const { metadata, ...sent } = request.body as { metadata: Record<string, string> };
            const { mcp_ref: reference, ...callerMetadata } = metadata;
            expect(reference).toMatch(/^[\w-]{24}\.[\w-]{16}$/);
            expect(validateArguments(paymentInputSchema(), asToolArguments({ ...sent, metadata: callerMetadata })).ok).toBe(true);
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
      expect((await session.client.listTools()).tools).toHaveLength(TOOL_NAMES.length);
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );
});

// Values of the wrong type, and now and then one of megabytes.
const hugeString = fc.nat({ max: 2 }).map((megabytes) => 'x'.repeat((megabytes + 1) * 1024 * 1024));
const oddValue = oneIn<unknown>(25, hugeString, fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.anything()));
const maybeOdd = <T>(valid: fc.Arbitrary<T>) => oneIn<unknown>(3, oddValue, valid);

const paymentAnswer = fc.record(
  {
    payment_id: maybeOdd(fc.constantFrom('pay_1', 'pay_x')),
    total_amount: maybeOdd(fc.integer({ min: 0, max: 100_000 })),
    payment_link: maybeOdd(fc.constant('https://checkout.example/pay_1')),
    status: maybeOdd(fc.constantFrom('succeeded', 'requires_payment_method')),
    currency: maybeOdd(fc.constant('USD')),
    customer: maybeOdd(fc.record({ customer_id: fc.constant('cus_1'), email: fc.constant('ada@example.com') })),
    product_cart: maybeOdd(
      fc.array(fc.record({ product_id: maybeOdd(fc.constant('pdt_1')), quantity: maybeOdd(fc.nat()) }), { maxLength: 3 }),
    ),
    metadata: maybeOdd(fc.dictionary(fc.string({ maxLength: 10 }), oddValue, { maxKeys: 3 })),
    error_message: oddValue,
  },
  { requiredKeys: [] },
);
const productAnswer = fc.record(
  {
    product_id: maybeOdd(fc.constantFrom('pdt_1', 'pdt_2')),
    name: maybeOdd(fc.string()),
    description: maybeOdd(fc.string()),
    price: maybeOdd(fc.nat()),
    currency: maybeOdd(fc.constant('EUR')),
    is_recurring: maybeOdd(fc.boolean()),
    price_detail: maybeOdd(fc.record({ type: maybeOdd(fc.constant('one_time_price')), pay_what_you_want: maybeOdd(fc.boolean()) })),
  },
  { requiredKeys: [] },
);
const apiBody = fc.oneof(
  { weight: 3, arbitrary: paymentAnswer },
  { weight: 3, arbitrary: fc.record({ items: oneIn<unknown>(4, oddValue, fc.array(productAnswer, { maxLength: 5 })) }) },
  { weight: 1, arbitrary: fc.oneof(fc.array(productAnswer, { maxLength: 3 }), fc.jsonValue(), hugeString) },
);
const TOOL_CALLS: [string, object][] = [
  ['create_one_time_payment', SAMPLE_PAYMENT],
  ['list_products', {}],
  ['get_payment', { payment_id: 'pay_1' }],
];

describe('any API answer', () => {
  let noWaitSession: InProcessSession;
  beforeAll(async () => {
    noWaitSession = await connectInProcess(testConfig({ baseUrl: api.url }), { sleep: async () => {} });
  });
  afterAll(() => noWaitSession.close());

  it(
    'ends every call of every tool with a result the official client accepts; a created payment always shows its id',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...TOOL_CALLS),
          fc.constantFrom(200, 200, 200, 201, 400, 404, 422, 500),
          apiBody,
          async ([tool, args], status, body) => {
            api.script(answer.json(status, body));
            // Rejects if the answer is a JSON-RPC error or its structuredContent does not match the outputSchema.
            const result = await noWaitSession.call(args, tool);
            expect(result.content.length).toBeGreaterThan(0);
            expect(JSON.stringify(result).length).toBeLessThan(300 * 1024);
            // A payment id is a short token; a megabyte "id" is not a payment the agent could use (an unknown outcome).
            const paymentId = (body as { payment_id?: unknown } | null)?.payment_id;
            const createdWithId =
              tool === 'create_one_time_payment' &&
              status < 300 &&
              typeof paymentId === 'string' &&
              paymentId !== '' &&
              paymentId.length <= 255;
            if (createdWithId) {
              expect(result.isError).toBeFalsy();
              expect(result.structuredContent).toMatchObject({ payment_id: (body as { payment_id: string }).payment_id });
            }
          },
        ),
        { numRuns: 300 },
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );
});
