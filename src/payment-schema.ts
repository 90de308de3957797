import { z } from 'zod';
import type { CustomerRequest } from 'dodopayments/resources/payments';
import { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from './dodo-enums.js';

// One zod schema is both the validator of every call and the source of the advertised JSON Schema.
// It stays inside the portable profile: strict objects, no unions, no nullables (optional instead).

/** A field's own message, except that a missing required field says so. */
const unlessMissing = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : message;

const optionalText = (description: string) => z.string().describe(description).optional();

const billingSchema = z
  .strictObject({
    country: z
      .enum(COUNTRY_CODES, { error: unlessMissing('must be an ISO 3166-1 alpha-2 code such as US, IN, DE') })
      .describe('ISO 3166-1 alpha-2 country code, e.g. US, IN, DE.'),
    city: optionalText('City.'),
    state: optionalText('State or province.'),
    street: optionalText('Street address with house number.'),
    zipcode: optionalText('Postal or ZIP code.'),
  })
  .describe("The customer's billing address; only country is required.");

const customerSchema = z
  .strictObject({
    customer_id: z
      .string()
      .min(1, { error: 'must not be empty' })
      .describe('Id of an existing Dodo customer (cus_…). Give this or email, not both.')
      .optional(),
    email: z
      .email({ error: 'must be a valid email address such as ada@example.com' })
      .describe('Email of a new customer. Give this or customer_id, not both.')
      .optional(),
    name: optionalText("New customer's full name (only with email)."),
    phone_number: optionalText("New customer's phone number, international format (only with email)."),
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
  .transform(({ customer_id, email, name, phone_number }): CustomerRequest =>
    customer_id !== undefined
      ? { customer_id }
      : { email: email as string, ...(name !== undefined && { name }), ...(phone_number !== undefined && { phone_number }) },
  )
  .describe('Who pays: either an existing customer_id, or a new customer by email (+ optional name, phone_number).');

const cartItemSchema = z.strictObject({
  product_id: z.string().min(1, { error: 'must not be empty' }).describe('Dodo product id (pdt_…).'),
  quantity: z
    .int({ error: unlessMissing('must be a whole number of at least 1') })
    .min(1, { error: 'must be a whole number of at least 1' })
    .describe('Units, at least 1.'),
  amount: z
    .int({ error: 'must be a whole number ≥ 0 in the smallest currency unit' })
    .min(0, { error: 'must be a whole number ≥ 0 in the smallest currency unit' })
    .describe("Price for pay-what-you-want products only, in the currency's smallest unit (cents).")
    .optional(),
});

const METADATA_MAX_KEYS = 50;

const metadataSchema = z
  .record(
    z.string().max(40, { error: 'keys must be at most 40 characters' }),
    z.string({ error: 'values must be strings' }).max(500, { error: 'values must be at most 500 characters' }),
  )
  .refine((metadata) => Object.keys(metadata).length <= METADATA_MAX_KEYS, {
    error: `must have at most ${METADATA_MAX_KEYS} keys`,
  })
  .meta({
    maxProperties: METADATA_MAX_KEYS,
    description: 'Your own string key/value pairs stored on the payment (≤ 50 keys, key ≤ 40 chars, value ≤ 500 chars).',
  });

const paymentMethodTypeSchema = z.enum(PAYMENT_METHOD_TYPES, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a payment method type; use values such as credit, debit, apple_pay, google_pay, upi_collect (the input schema lists all ${PAYMENT_METHOD_TYPES.length})`,
});

const optionalFlag = (description: string) => z.boolean().describe(description).optional();

export const paymentInputSchema = z.strictObject({
  billing: billingSchema,
  customer: customerSchema,
  product_cart: z
    .array(cartItemSchema)
    .min(1, { error: 'must have at least 1 item' })
    .max(100, { error: 'must have at most 100 items' })
    .describe('Products to charge for, 1–100 items.'),
  allowed_payment_method_types: z
    .array(paymentMethodTypeSchema)
    .min(1, { error: 'must list at least 1 method (leave it out to allow all)' })
    .refine((methods) => new Set(methods).size === methods.length, { error: 'must not repeat a method' })
    .describe('Restrict checkout to these methods; customers never see others. Omit to allow all.')
    .optional(),
  billing_currency: z
    .enum(CURRENCIES, { error: 'must be an ISO 4217 currency code such as USD, EUR, INR' })
    .describe('Bill in this ISO 4217 currency; the payment fails if Dodo cannot.')
    .optional(),
  discount_codes: z
    .array(z.string().min(1, { error: 'must not be empty' }))
    .max(20, { error: 'must have at most 20 codes' })
    .describe('Discount codes, applied in order (≤ 20).')
    .optional(),
  metadata: metadataSchema.optional(),
  payment_link: z
    .boolean()
    .default(true)
    .describe('Generate a hosted checkout link (payment_link in the result) to send the customer. Default true.'),
  short_link: optionalFlag('Shorten the checkout link.'),
  return_url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://example.com/thanks' })
    .describe('Where the customer lands after paying (http or https URL).')
    .optional(),
  redirect_immediately: optionalFlag('Redirect to return_url right after payment, skipping the success page.'),
  require_phone_number: optionalFlag("Require the customer's phone number at checkout."),
  show_saved_payment_methods: optionalFlag("Show a returning customer's saved payment methods."),
  tax_id: optionalText('B2B tax id; creation fails if it does not validate.'),
  customer_business_name: optionalText('Legal business name shown on the invoice with tax_id.'),
  force_3ds: optionalFlag('Force 3-D Secure for card payments.'),
  adaptive_currency_fees_inclusive: optionalFlag('Include adaptive-currency fees in the price (true) or add them on top (false).'),
  payment_method_id: optionalText("Charge this saved payment method (requires customer.customer_id)."),
  idempotency_key: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(255, { error: 'must be at most 255 characters' })
    .describe('A fresh key for each distinct payment; reuse the same key when retrying the same payment. Not sent to Dodo.')
    .optional(),
}).superRefine((input, context) => {
  if (input.payment_method_id !== undefined && !('customer_id' in (input.customer ?? {}))) {
    context.addIssue({
      code: 'custom',
      path: ['payment_method_id'],
      message: 'requires customer.customer_id (a saved payment method belongs to an existing customer)',
    });
  }
});

/** The validated arguments: the `POST /payments` body plus the server-side idempotency_key. */
export type PaymentRequest = z.output<typeof paymentInputSchema>;
