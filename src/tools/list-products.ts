import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { onFirstUse } from '../on-first-use.js';
import { checkApiAnswer } from './api-answer.js';
import {
  argumentsForRead,
  READ_ONLY_ANNOTATIONS,
  readFromApi,
  structuredResult,
  type ToolContext,
  type ToolModule,
  toolCallLog,
  truncate,
  withoutNulls,
} from './tool.js';

const PRODUCT_PAGE_SIZE_DEFAULT = 20;

const inputSchema = onFirstUse(() =>
  z.strictObject({
    name_contains: z.string().max(100).describe('Part of the name, any case.').optional(),
    page_size: z
      .int({ error: 'must be a whole number from 1 to 100' })
      .min(1)
      .max(100)
      .default(PRODUCT_PAGE_SIZE_DEFAULT)
      .describe(`Per page (default ${PRODUCT_PAGE_SIZE_DEFAULT}).`),
    cursor: z
      .string()
      .regex(/^\d+:\d+$/, { error: 'must be a next_cursor value from a previous list_products result' })
      .describe('A next_cursor.')
      .optional(),
    archived: z.boolean().describe('Archived ones instead.').optional(),
    brand_id: z.string().max(128).describe('Only this brand.').optional(),
  }),
);

const TEXT_FILTERS = ['name_contains', 'cursor', 'brand_id'];

/** An empty text filter means "no filter": strict-mode clients and form-like UIs send "" for a field left blank. */
function withoutEmptyFilters(args: unknown): unknown {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([key, value]) => !(TEXT_FILTERS.includes(key) && value === '')));
}

const outputSchema = () => z.looseObject({ products: z.array(z.looseObject({})), environment: z.string() });

export const listProductsTool: ToolModule = {
  name: 'list_products',
  title: 'List products',
  describe: () =>
    'Find product_ids for create_one_time_payment: one-time products with name, price (smallest unit), currency. More via next_cursor.',
  annotations: READ_ONLY_ANNOTATIONS,
  inputSchema,
  outputSchema,
  handle: listProducts,
};

// The API is read in its largest pages; the tool's page_size only bounds what it returns. A cursor is
// "API page:offset in it", so a page cut short by page_size (or by the name filter) loses nothing.
const API_PAGE_SIZE = 100;
// A sparse name filter could otherwise read the whole catalogue in one call.
const MAX_API_PAGES_PER_CALL = 5;
const DESCRIPTION_LENGTH = 100;
const NAME_LENGTH = 80;

async function listProducts(args: unknown, context: ToolContext): Promise<CallToolResult> {
  const { config, signal } = context;
  const finish = toolCallLog(listProductsTool.name, context);
  const checked = argumentsForRead(inputSchema(), withoutEmptyFilters(args), config, finish);
  if (!checked.ok) return checked.result;

  const { name_contains: nameContains, page_size: pageSize, cursor, archived, brand_id: brandId } = checked.value;
  const needle = nameContains?.toLowerCase();
  let [apiPage = 0, offset = 0] = (cursor ?? '0:0').split(':').map(Number);
  const products: Record<string, unknown>[] = [];
  let nextCursor: string | undefined;

  for (let pagesRead = 0; pagesRead < MAX_API_PAGES_PER_CALL && products.length < pageSize; pagesRead++) {
    const query = {
      page_number: apiPage,
      page_size: API_PAGE_SIZE,
      recurring: false,
      ...(archived !== undefined && { archived }),
      ...(brandId && { brand_id: brandId }),
    };
    const read = await readFromApi(context, 'the product list', finish, (api) => api.listProducts(query, signal));
    if (!read.ok) return read.result;
    const answer = checkApiAnswer(productPageAnswer(), read.value, 'the product list', finish);
    if (!answer.ok) return answer.result;
    const page = answer.value.items;

    let index = offset;
    for (; index < page.length && products.length < pageSize; index++) {
      const product = page[index] as ProductAnswer;
      if (!product.is_recurring && (needle === undefined || (product.name ?? '').toLowerCase().includes(needle))) {
        products.push(summarizeProduct(product));
      }
    }
    if (index < page.length) {
      nextCursor = `${apiPage}:${index}`;
      break;
    }
    if (page.length < API_PAGE_SIZE) {
      nextCursor = undefined;
      break;
    }
    apiPage += 1;
    offset = 0;
    nextCursor = `${apiPage}:0`;
  }

  const result = { products, ...(nextCursor !== undefined && { next_cursor: nextCursor }), environment: config.environment };
  return finish('listed', structuredResult(result), { count: products.length });
}

/** The fields of Dodo's `ProductListResponse` this tool shows, checked; anything else in the answer is ignored. */
const productAnswer = () => {
  const money = { price: z.int().nullish(), currency: z.string().max(16).nullish() };
  return z.looseObject({
    product_id: z.string().min(1).max(255),
    name: z.string().nullish(),
    description: z.string().nullish(),
    is_recurring: z.boolean().nullish(),
    ...money,
    price_detail: z.looseObject({ type: z.string(), ...money, pay_what_you_want: z.boolean().nullish() }).nullish(),
  });
};
type ProductAnswer = z.output<ReturnType<typeof productAnswer>>;
const productPageAnswer = onFirstUse(() => z.looseObject({ items: z.array(productAnswer()).max(API_PAGE_SIZE) }));

/** Only what an agent needs to choose a product and quote its price, kept short. */
function summarizeProduct(product: ProductAnswer): Record<string, unknown> {
  const detail = product.price_detail;
  const oneTime = detail?.type === 'one_time_price' ? detail : undefined;
  return withoutNulls({
    product_id: product.product_id,
    name: truncate(product.name, NAME_LENGTH),
    price: product.price ?? oneTime?.price ?? null,
    currency: product.currency ?? oneTime?.currency ?? null,
    pay_what_you_want: oneTime?.pay_what_you_want ?? false,
    description: truncate(product.description, DESCRIPTION_LENGTH),
  });
}
