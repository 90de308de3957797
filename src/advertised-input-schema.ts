import { paymentInputSchema } from './payment-schema.js';
import { getPaymentInputSchema, listProductsInputSchema } from './read-tool-schemas.js';
import { toPortableJsonSchema } from './json-schema.js';

// The bundle replaces this module with the JSON it evaluates to, computed at build time
// (scripts/build.mjs), so the server does no schema conversion at start.
// test/stdio.e2e.test.ts checks that the bundle advertises exactly what this computes.
export const advertisedInputSchemas = {
  create_one_time_payment: toPortableJsonSchema(paymentInputSchema),
  list_products: toPortableJsonSchema(listProductsInputSchema),
  get_payment: toPortableJsonSchema(getPaymentInputSchema),
};
