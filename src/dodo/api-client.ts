import type { ClientOptions } from 'dodopayments';
import type { PaymentCreateParams, PaymentListParams, PaymentListResponse } from 'dodopayments/resources/payments';
import type { Product, ProductListParams } from 'dodopayments/resources/products/products';
import { VERSION as SDK_VERSION } from 'dodopayments/version';
import type { Config } from '../config/config.js';
import { onFirstUse } from '../on-first-use.js';
import { nodeHttpFetch } from './node-http-fetch.js';
import { paymentPost } from './payment-post.js';

/** The calls the tools make; an interface so tests and the server factory can swap it. */
export interface DodoApi {
  /** Resolves to whatever the API answered with status 2xx (checked by the caller); rejects with the SDK's typed errors. */
  createPayment(body: PaymentCreateParams, signal?: AbortSignal): Promise<unknown>;
  /** The API's answer as it came (a `Payment` when the API is well), for the caller to check. */
  retrievePayment(paymentId: string, signal?: AbortSignal): Promise<unknown>;
  /** One page of `GET /payments`. */
  listPayments(query: PaymentListParams, signal?: AbortSignal): Promise<PaymentListResponse[]>;
  /** One page of `GET /products`, the body as it came (`{ items: ProductListResponse[] }` when the API is well). */
  listProducts(query: ProductListParams, signal?: AbortSignal): Promise<unknown>;
  retrieveProduct(productId: string, signal?: AbortSignal): Promise<Product>;
}

/**
 * The SDK names itself after its class, which the bundle's minifier renames (`Z/JS 2.52.0`): the header is
 * set here, the SDK's own name and version first, then this server's.
 */
export function userAgent(serverVersion: string): string {
  return `DodoPayments/JS ${SDK_VERSION} dodo-payments-mcp/${serverVersion}`;
}

type ApiSettings = Pick<Config, 'baseUrl' | 'timeoutMs'> & { apiKey: string; serverVersion: string };

/** How the official client is set up (exported for the test that holds payment-post.ts to the client). */
export function clientOptions(config: ApiSettings): ClientOptions {
  return {
    bearerToken: config.apiKey,
    baseURL: config.baseUrl,
    timeout: config.timeoutMs,
    // POST /payments has no idempotency key: a re-sent request after a timeout or 5xx can charge twice.
    // Retries are decided by retry-policy.ts, which knows which failures certainly changed nothing.
    maxRetries: 0,
    // The SDK logs to console (stdout), which belongs to JSON-RPC; the server logs for itself.
    logLevel: 'off',
    webhookKey: null,
    fetch: nodeHttpFetch,
    defaultHeaders: { 'User-Agent': userAgent(config.serverVersion) },
  };
}

export function createDodoApi(config: ApiSettings): DodoApi {
  // Loaded on the first call, not at start: a client that only lists tools never pays for it.
  const sdk = onFirstUse(async () => {
    const { DodoPayments } = await import('dodopayments');
    return new DodoPayments(clientOptions(config));
  });
  const postPayment = onFirstUse(async () => paymentPost(await sdk()));
  return {
    createPayment: async (body, signal) => (await postPayment())(body, signal),
    retrievePayment: async (paymentId, signal) => (await sdk()).payments.retrieve(paymentId, { signal }),
    listPayments: async (query, signal) => (await (await sdk()).payments.list(query, { signal })).items,
    // The raw body rather than the SDK's page, which turns a body that is not `{ items }` into an empty list.
    listProducts: async (query, signal) => (await sdk()).get('/products', { query, signal }),
    retrieveProduct: async (productId, signal) => (await sdk()).products.retrieve(productId, { signal }),
  };
}
