import type { DodoPayments } from 'dodopayments';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'dodopayments/core/error';
import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import { timedHttpFetch } from './node-http-fetch.js';

export type PaymentPost = (body: PaymentCreateParams, signal?: AbortSignal) => Promise<unknown>;

/**
 * `POST /payments` as the official client makes it with this server's options (no retries, logging off), answered as
 * it answers: its value, or its own error classes. The URL, headers and timeout are the client's, built once by its
 * public `buildRequest`; what it would build anew for every call (its headers above all) cost the hosted server about
 * a sixth of its CPU per call (docs/design.md). The rest follows the client's `makeRequest`, `fetchWithTimeout` and
 * `defaultParseResponse` (dodopayments 2.52.0), and test/payment-post.test.ts holds it to the client itself.
 */
export async function paymentPost(client: DodoPayments): Promise<PaymentPost> {
  const { url, req, timeout } = await client.buildRequest({ method: 'post', path: '/payments', body: {} }, { retryCount: 0 });
  const headers: Record<string, string> = {};
  for (const [name, value] of new Headers(req.headers)) headers[name] = value;

  return async (body, signal) => {
    if (signal?.aborted) throw new APIUserAbortError();
    let response: Response;
    try {
      // The client's timeout, as its fetchWithTimeout applies it, without its AbortController.
      response = await timedHttpFetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal }, timeout);
    } catch (thrown) {
      if (signal?.aborted) throw new APIUserAbortError();
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      // The client sees its own timeout as an abort; anything else that reads as a timeout counts as one too.
      const aborted = ['AbortError', 'TimeoutError'].includes(error.name) || error.message.includes('FetchRequestCanceledException');
      if (aborted || /timed? ?out/i.test(String(error) + ('cause' in error ? String(error.cause) : ''))) {
        throw new APIConnectionTimeoutError();
      }
      throw new APIConnectionError({ cause: error });
    }
    if (!response.ok) {
      const text = await response.text().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      const json = parsedOrUndefined(text);
      // As the client does: a body that parses to a falsy value (null, 0, false) is given as the message too.
      throw APIError.generate(response.status, json as object | undefined, json ? undefined : text, response.headers as Headers);
    }
    // fetch refuses to read the body of a 204.
    if (response.status === 204) return null;
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim();
    if (mediaType?.includes('application/json') || mediaType?.endsWith('+json')) {
      return response.headers.get('content-length') === '0' ? undefined : await response.json();
    }
    return await response.text();
  };
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
