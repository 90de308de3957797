import type { DodoPayments } from 'dodopayments';
import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import type { Config } from './config.js';
import { nodeHttpFetch } from './node-http-fetch.js';

/** The one call the tool makes; an interface so tests and the server factory can swap it. */
export interface PaymentsApi {
  /** Resolves to whatever the API answered with status 2xx (checked by the caller); rejects with the SDK's typed errors. */
  createPayment(body: PaymentCreateParams, signal?: AbortSignal): Promise<unknown>;
}

export function createPaymentsApi(config: Pick<Config, 'baseUrl' | 'timeoutMs'> & { apiKey: string }): PaymentsApi {
  // Loaded on the first call, not at start: a client that only lists tools never pays for it.
  let client: Promise<DodoPayments> | undefined;
  const loadClient = async () => {
    const { DodoPayments } = await import('dodopayments');
    return new DodoPayments({
      bearerToken: config.apiKey,
      baseURL: config.baseUrl,
      timeout: config.timeoutMs,
      // POST /payments has no idempotency key: a re-sent request after a timeout or 5xx can charge twice.
      maxRetries: 0,
      // The SDK logs to console (stdout), which belongs to JSON-RPC; the server logs for itself.
      logLevel: 'off',
      webhookKey: null,
      fetch: nodeHttpFetch,
    });
  };
  return {
    createPayment: async (body, signal) => (await (client ??= loadClient())).payments.create(body, { signal }),
  };
}
