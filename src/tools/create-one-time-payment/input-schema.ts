import type { CustomerRequest } from 'dodopayments/resources/payments';
import { z } from 'zod';
import { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from '../../dodo/dodo-enums.js';
import { onFirstUse } from '../../on-first-use.js';
import { RECONCILE_KEY_NAME } from '../../payments/reference.js';
import { allowedString } from '../../schema/allowed-values.js';

// One zod schema is both the validator of every call and the source of the advertised JSON Schema.
// It stays inside the portable profile and converts under OpenAI strict mode: strict objects, no unions,
// no open maps (metadata is a list of pairs), optional instead of nullable (null is read as absent before
// validation), and the three large enumerations checked at run time rather than advertised.

/** Longest accepted text per field: generous for real data, small enough that echoes stay small. */
const MAX_LENGTH = {
  id: 128,
  name: 255,
  street: 255,
  city: 100,
  state: 100,
  zipcode: 20,
  email: 254,
  emailLocalPart: 64,
  phone: 32,
  taxId: 64,
  discountCode: 64,
};

/** A field's own message, except that a missing required field says so. */
const unlessMissing = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);

const boundedText = (maxLength: number) =>
  z.string({ error: unlessMissing('must be a string') }).max(maxLength, { error: `must be at most ${maxLength} characters` });
const optionalText = (maxLength: number, description: string) => boundedText(maxLength).describe(description).optional();
const idText = (description: string) => boundedText(MAX_LENGTH.id).min(1, { error: 'must not be empty' }).describe(description);

/** English names of region or currency codes, built on the first miss, not at start: ICU's display names cost ~35 ms to load. */
function displayNames(type: 'region' | 'currency'): (code: string) => string | undefined {
  const names = onFirstUse(() => new Intl.DisplayNames(['en'], { type }));
  return (code) => names().of(code);
}

// Dodo's documented limits; of its 50 keys, one is reserved for the server's payment reference
// (see payments/reference.ts).
const METADATA_MAX_ENTRIES = 49;
const METADATA_KEY_LENGTH = 40;
const METADATA_VALUE_LENGTH = 500;

/** Keys refused in metadata, with the reason the error gives. */
const RESERVED_METADATA_KEYS = new Map([
  [RECONCILE_KEY_NAME, "the server's payment reference"],
  ['__proto__', 'a JavaScript object key'],
  ['constructor', 'a JavaScript object key'],
  ['prototype', 'a JavaScript object key'],
]);

/**
 * Dodo's own shape, `{"order_id": "A-17"}`, as the advertised list of pairs: integrations written against 0.1.0 and
 * models that know Dodo's API send it. A value that is not a string is refused here, under its key's name.
 */
function metadataMapAsPairs(value: unknown, context: z.core.$RefinementCtx): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.entries(value).flatMap(([key, entry]) => {
    if (typeof entry === 'string') return [{ key, value: entry }];
    context.addIssue({ code: 'custom', path: [key], input: entry, message: 'must be a string' });
    return [];
  });
}

const optionalFlag = (description: string) => z.boolean().describe(description).optional();

/** Built on first use: tools/list needs none of it, and a cold start would spend ~10 ms building it. */
export const paymentInputSchema = onFirstUse(() => {
  const countrySchema = allowedString({
    values: COUNTRY_CODES,
    kind: 'an ISO 3166-1 alpha-2 code',
    examples: ['US', 'IN', 'DE'],
    nameOf: displayNames('region'),
  });

  const billingSchema = z
    .strictObject({
      country: countrySchema.describe('ISO 3166-1 alpha-2, e.g. US, IN, DE.'),
      city: optionalText(MAX_LENGTH.city, 'City.'),
      state: optionalText(MAX_LENGTH.state, 'State.'),
      street: optionalText(MAX_LENGTH.street, 'Street.'),
      zipcode: optionalText(MAX_LENGTH.zipcode, 'Postal code.'),
    })
    .describe('Billing address.');

  const emailSchema = z
    .email({ error: 'must be a valid email address such as ada@example.com' })
    .max(MAX_LENGTH.email, { error: `must be at most ${MAX_LENGTH.email} characters` })
    .refine((email) => email.slice(0, email.lastIndexOf('@')).length <= MAX_LENGTH.emailLocalPart, {
      error: `the part before @ must be at most ${MAX_LENGTH.emailLocalPart} characters`,
    });

  const customerSchema = z
    .strictObject({
      customer_id: idText('Existing customer id (cus_…).').optional(),
      email: emailSchema.describe("New customer's email.").optional(),
      name: optionalText(MAX_LENGTH.name, "New customer's name."),
      phone_number: optionalText(MAX_LENGTH.phone, 'Phone, e.g. +14155550100.'),
    })
    .superRefine((customer, context) => {
      if ((customer.customer_id === undefined) === (customer.email === undefined)) {
        context.addIssue({
          code: 'custom',
          message: 'give exactly one of customer_id (an existing customer) or email (a new customer)',
        });
      } else if (customer.customer_id !== undefined) {
        for (const field of ['name', 'phone_number'] as const) {
          if (customer[field] !== undefined) {
            context.addIssue({
              code: 'custom',
              path: [field],
              message: 'only goes with email (a new customer); an existing customer_id keeps its own details',
            });
          }
        }
      }
    })
    .transform(
      ({ customer_id, email, name, phone_number }): CustomerRequest =>
        customer_id !== undefined
          ? { customer_id }
          : { email: email as string, ...(name !== undefined && { name }), ...(phone_number !== undefined && { phone_number }) },
    )
    .describe('Who pays.');

  const cartItemSchema = z.strictObject({
    product_id: idText('Product id (pdt_…).'),
    quantity: z
      .int({ error: unlessMissing('must be a whole number of at least 1') })
      .min(1, { error: 'must be a whole number of at least 1' })
      .describe('Units.'),
    amount: z
      .int({ error: 'must be a whole number ≥ 0 in the smallest currency unit' })
      .min(0, { error: 'must be a whole number ≥ 0 in the smallest currency unit' })
      .describe('Pay-what-you-want price.')
      .optional(),
  });

  const metadataEntrySchema = z.strictObject({
    key: z
      .string({ error: unlessMissing('must be a string') })
      .min(1, { error: 'must not be empty' })
      .max(METADATA_KEY_LENGTH, { error: `must be at most ${METADATA_KEY_LENGTH} characters` })
      .refine((key) => !RESERVED_METADATA_KEYS.has(key), {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is reserved (${RESERVED_METADATA_KEYS.get(String(issue.input))}); use another key`,
      })
      .describe('Key.'),
    value: boundedText(METADATA_VALUE_LENGTH).describe('Value.'),
  });

  // Advertised as a list of pairs rather than a map: open maps (additionalProperties schemas, propertyNames) fail
  // OpenAI strict mode and Gemini's schema models. A map is accepted too. The handler receives Dodo's map.
  const metadataPairs = z
    .array(metadataEntrySchema, { error: 'must be a list of {key, value} pairs (or an object of string values)' })
    .max(METADATA_MAX_ENTRIES, { error: `must have at most ${METADATA_MAX_ENTRIES} entries` })
    .superRefine((entries, context) => {
      const seen = new Set<string>();
      entries.forEach(({ key }, index) => {
        if (seen.has(key)) context.addIssue({ code: 'custom', path: [index, 'key'], message: `repeats ${JSON.stringify(key)}` });
        seen.add(key);
      });
    })
    .transform((entries): Record<string, string> => Object.fromEntries(entries.map(({ key, value }) => [key, value])));
  const metadataSchema = z.preprocess(metadataMapAsPairs, metadataPairs).describe('Stored on the payment.');

  const paymentMethodTypeSchema = allowedString({
    values: PAYMENT_METHOD_TYPES,
    kind: 'a Dodo payment method type',
    examples: ['credit', 'debit', 'upi_collect', 'apple_pay', 'google_pay'],
    listAll: true,
  });

  const currencySchema = allowedString({
    values: CURRENCIES,
    kind: 'an ISO 4217 currency code',
    examples: ['USD', 'EUR', 'INR'],
    nameOf: displayNames('currency'),
  });

  return z
    .strictObject({
      billing: billingSchema,
      customer: customerSchema,
      product_cart: z
        .array(cartItemSchema)
        .min(1, { error: 'must have at least 1 item' })
        .max(100, { error: 'must have at most 100 items' })
        .describe('Products to charge for.'),
      allowed_payment_method_types: z
        .array(paymentMethodTypeSchema)
        .min(1, { error: 'must list at least 1 method (leave it out to allow all)' })
        .refine((methods) => new Set(methods).size === methods.length, { error: 'must not repeat a method' })
        .describe('Only these, e.g. credit, upi_collect.')
        .optional(),
      billing_currency: currencySchema.describe('ISO 4217, e.g. USD, EUR.').optional(),
      discount_codes: z
        .array(boundedText(MAX_LENGTH.discountCode).min(1, { error: 'must not be empty' }))
        .max(20, { error: 'must have at most 20 codes' })
        .describe('Applied in order.')
        .optional(),
      metadata: metadataSchema.optional(),
      payment_link: z.boolean().default(true).describe('Return a checkout URL (default true).'),
      short_link: optionalFlag('Shorten the checkout URL.'),
      return_url: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://example.com/thanks' })
        .describe('Page after paying.')
        .optional(),
      redirect_immediately: optionalFlag('Skip the success page.'),
      require_phone_number: optionalFlag('Ask for a phone.'),
      show_saved_payment_methods: optionalFlag('Offer saved methods.'),
      tax_id: optionalText(MAX_LENGTH.taxId, 'B2B tax id.'),
      customer_business_name: optionalText(MAX_LENGTH.name, 'Business name, with tax_id.'),
      force_3ds: optionalFlag('Force 3-D Secure.'),
      adaptive_currency_fees_inclusive: optionalFlag('Adaptive-currency fees in the price.'),
      payment_method_id: idText('Saved method; needs customer_id.').optional(),
      idempotency_key: z
        .string()
        .min(1, { error: 'must not be empty' })
        .max(255, { error: 'must be at most 255 characters' })
        .describe('Repeat to retry safely.')
        .optional(),
    })
    .superRefine((input, context) => {
      if (input.payment_method_id !== undefined && !('customer_id' in (input.customer ?? {}))) {
        context.addIssue({
          code: 'custom',
          path: ['payment_method_id'],
          message: 'requires customer.customer_id (a saved payment method belongs to an existing customer)',
        });
      }
    });
});

/** The validated arguments: the `POST /payments` body plus the server-side idempotency_key. */
export type PaymentRequest = z.output<ReturnType<typeof paymentInputSchema>>;
