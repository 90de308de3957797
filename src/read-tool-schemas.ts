import { z } from 'zod';

export const PRODUCT_PAGE_SIZE_DEFAULT = 20;

export const listProductsInputSchema = z.strictObject({
  name_contains: z.string().min(1, { error: 'must not be empty' }).max(100).describe('Case-insensitive part of the name.').optional(),
  page_size: z.int({ error: 'must be a whole number from 1 to 100' }).min(1).max(100).default(PRODUCT_PAGE_SIZE_DEFAULT).describe('Products per page, 1–100.'),
  cursor: z
    .string()
    .regex(/^\d+:\d+$/, { error: 'must be a next_cursor value from a previous list_products result' })
    .describe('next_cursor of the previous page.')
    .optional(),
  archived: z.boolean().describe('List archived products instead.').optional(),
  brand_id: z.string().min(1, { error: 'must not be empty' }).describe('Only this brand.').optional(),
});

export const getPaymentInputSchema = z.strictObject({
  payment_id: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be a Dodo payment id such as pay_2IjeQm4hqU6RA4Z4kwDee' })
    .describe('Payment id (pay_…).'),
});
