import type { CustomerRequest } from 'dodopayments/resources/payments';
import { z } from 'zod';
import { RECONCILE_KEY_NAME } from '../../dodo/payment-reconciliation.js';
import { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from './dodo-enums.js';

// One zod schema is both the validator of every call and the source of the advertised JSON Schema.
// It stays inside the portable profile: strict objects, no unions, no nullables (optional instead).

/** A field's own message, except that a missing required field says so. */
const unlessMissing = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);

const optionalText = (description: string) => z.string().describe(description).optional();

const billingSchema = z
  .strictObject({
    country: z
      .enum(COUNTRY_CODES, { error: unlessMissing('must be an ISO 3166-1 alpha-2 code such as US, IN, DE') })
      .describe('ISO 3166-1 alpha-2, e.g. US, IN, DE.'),
    city: optionalText('City.'),
    state: optionalText('State or province.'),
    street: optionalText('Street and number.'),
    zipcode: optionalText('Postal code.'),
  })
  .describe('Billing address; only country required.');

const customerSchema = z
  .strictObject({
    customer_id: z.string().min(1, { error: 'must not be empty' }).describe('Existing customer id (cus_…).').optional(),
    email: z.email({ error: 'must be a valid email address such as ada@example.com' }).describe("New customer's email.").optional(),
    name: optionalText("New customer's name."),
    phone_number: optionalText("New customer's phone, international format."),
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
  .describe("Existing customer_id, or new customer's email (+ name, phone_number).");

const cartItemSchema = z.strictObject({
  product_id: z.string().min(1, { error: 'must not be empty' }).describe('Product id (pdt_…).'),
  quantity: z
    .int({ error: unlessMissing('must be a whole number of at least 1') })
    .min(1, { error: 'must be a whole number of at least 1' })
    .describe('Units, ≥ 1.'),
  amount: z
    .int({ error: 'must be a whole number ≥ 0 in the smallest currency unit' })
    .min(0, { error: 'must be a whole number ≥ 0 in the smallest currency unit' })
    .describe('Pay-what-you-want price in the smallest unit; ignored otherwise.')
    .optional(),
});

// Dodo allows 50 keys; one is reserved for the server's payment reference (see dodo/payment-reconciliation.ts).
const METADATA_MAX_KEYS = 49;

const metadataSchema = z
  .record(
    z.string().max(40, { error: 'keys must be at most 40 characters' }),
    z.string({ error: 'values must be strings' }).max(500, { error: 'values must be at most 500 characters' }),
  )
  .refine((metadata) => Object.keys(metadata).length <= METADATA_MAX_KEYS, {
    error: `must have at most ${METADATA_MAX_KEYS} keys`,
  })
  .refine((metadata) => !Object.hasOwn(metadata, RECONCILE_KEY_NAME), {
    error: `the key ${RECONCILE_KEY_NAME} is reserved: the server stores its payment reference there; use another key name`,
  })
  .meta({
    maxProperties: METADATA_MAX_KEYS,
    description: `String key/values stored on the payment; key ${RECONCILE_KEY_NAME} is reserved.`,
  });

const paymentMethodTypeSchema = z.enum(PAYMENT_METHOD_TYPES, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a payment method type; use values such as credit, debit, apple_pay, google_pay, upi_collect (the input schema lists all ${PAYMENT_METHOD_TYPES.length})`,
});

const optionalFlag = (description: string) => z.boolean().describe(description).optional();

export const paymentInputSchema = z
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
      .describe('Only offer these methods at checkout; omit for all.')
      .optional(),
    billing_currency: z
      .enum(CURRENCIES, { error: 'must be an ISO 4217 currency code such as USD, EUR, INR' })
      .describe('Bill in this ISO 4217 currency; fails if unsupported.')
      .optional(),
    discount_codes: z
      .array(z.string().min(1, { error: 'must not be empty' }))
      .max(20, { error: 'must have at most 20 codes' })
      .describe('Discount codes, applied in order.')
      .optional(),
    metadata: metadataSchema.optional(),
    payment_link: z.boolean().default(true).describe('Return a hosted checkout URL (payment_link). Default true.'),
    short_link: optionalFlag('Shorten the checkout URL.'),
    return_url: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://example.com/thanks' })
      .describe('http(s) URL the customer returns to after paying.')
      .optional(),
    redirect_immediately: optionalFlag('Skip the success page; redirect to return_url at once.'),
    require_phone_number: optionalFlag('Ask for a phone number at checkout.'),
    show_saved_payment_methods: optionalFlag("Offer a returning customer's saved methods."),
    tax_id: optionalText('B2B tax id; creation fails if invalid.'),
    customer_business_name: optionalText('Business name for the invoice (with tax_id).'),
    force_3ds: optionalFlag('Force 3-D Secure for cards.'),
    adaptive_currency_fees_inclusive: optionalFlag('Adaptive-currency fees: true = in the price, false = on top.'),
    payment_method_id: optionalText('Charge this saved method; needs customer_id.'),
    idempotency_key: z
      .string()
      .min(1, { error: 'must not be empty' })
      .max(255, { error: 'must be at most 255 characters' })
      .describe('A fresh key for each distinct payment; reuse the same key when retrying the same payment.')
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

/** The validated arguments: the `POST /payments` body plus the server-side idempotency_key. */
export type PaymentRequest = z.output<typeof paymentInputSchema>;
