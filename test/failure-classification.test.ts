import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'dodopayments';
import { describe, expect, it } from 'vitest';
import { classifyError, classifyFailure, isPaymentObject, parseRetryAfter } from '../src/dodo/failure-classification.js';
import { describePaymentFailure } from '../src/payments/outcome-wording.js';

const context = { baseUrl: 'http://127.0.0.1:9', environment: 'test_mode' as const, productIds: ['pdt_a', 'pdt_b'] };
const statusError = (status: number, body: object | undefined, headers: Record<string, string> = {}) =>
  APIError.generate(status, body, undefined, new Headers(headers));
/** What the classification decides, with the words the agent would read for it. */
const describeFailure = (error: unknown, apiContext: typeof context) => {
  const failure = classifyError(error);
  return { ...failure, message: describePaymentFailure(failure, apiContext) };
};
const connectionError = (code: string) =>
  new APIConnectionError({ cause: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) }) });

describe('describeFailure', () => {
  it('reports status, Dodo code and message for a rejection, and that nothing was created', () => {
    const failure = describeFailure(
      statusError(422, { code: 'UNSUPPORTED_COUNTRY', message: 'Country AI currently not supported' }),
      context,
    );
    expect(failure).toMatchObject({ kind: 'rejected', label: '422 UNSUPPORTED_COUNTRY' });
    expect(failure.message).toContain('422 UNSUPPORTED_COUNTRY: Country AI currently not supported');
    expect(failure.message).toContain('Nothing was created');
  });

  it('explains a 401 as a wrong key or a key of the other environment', () => {
    const { message } = describeFailure(statusError(401, { code: 'UNAUTHORIZED', message: 'Invalid API key' }), context);
    expect(message).toContain('401 UNAUTHORIZED');
    expect(message).toMatch(/live_mode key while this server runs in test_mode/);
    expect(message).toContain('DODO_PAYMENTS_API_KEY');
  });

  it('names the products for a 404', () => {
    const { message } = describeFailure(statusError(404, { code: 'NOT_FOUND', message: 'Product not found' }), context);
    expect(message).toContain('pdt_a, pdt_b');
    expect(message).toContain('ids from live_mode do not exist here');
  });

  it('passes on Retry-After for a 429', () => {
    const failure = describeFailure(statusError(429, { code: 'TOO_MANY_REQUESTS', message: 'slow down' }, { 'retry-after': '7' }), context);
    expect(failure).toMatchObject({ kind: 'rejected', condition: { retryAfterSeconds: 7 } });
    expect(failure.message).toContain('wait 7 s');
    expect(describeFailure(statusError(429, {}), context).message).toContain('wait a few seconds');
  });

  // A 303 after a POST means "processed, see elsewhere": calling it a rejection would free the key for a second payment.
  it.each([300, 301, 302, 303, 307, 308])('treats a %i redirect as an unknown outcome, never a rejection', (status) => {
    const failure = describeFailure(statusError(status, {}), context);
    expect(failure.kind).toBe('unknown_outcome');
    expect(failure.message).toContain('a redirect: the request was processed');
    expect(failure.message).not.toContain('Nothing was created');
  });

  it('says a call cancelled before sending created nothing', () => {
    const failure = classifyFailure({ type: 'cancelled_before_sending' });
    expect(failure).toMatchObject({ kind: 'not_sent', label: 'cancelled_before_sending' });
    expect(describePaymentFailure(failure, context)).toContain('Nothing was sent, so no payment was created');
  });

  it.each([500, 502, 503, 504])('treats %i as an unknown outcome', (status) => {
    const failure = describeFailure(statusError(status, { code: 'INTERNAL_SERVER_ERROR', message: 'boom' }), context);
    expect(failure.kind).toBe('unknown_outcome');
    expect(failure.message).toContain('may or may not have been created');
  });

  it('uses the SDK message when the error body is not JSON', () => {
    const failure = describeFailure(APIError.generate(400, undefined, 'Bad Request page', new Headers()), context);
    expect(failure.message).toContain('400: Bad Request page');
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])('says %s was not sent and where it tried to connect', (code) => {
    const failure = describeFailure(connectionError(code), context);
    expect(failure).toMatchObject({ kind: 'not_sent', label: code });
    expect(failure.message).toContain('Could not connect to the Dodo API at http://127.0.0.1:9');
    expect(failure.message).toContain('no payment was created');
  });

  it('treats a reset mid-request as an unknown outcome', () => {
    expect(describeFailure(connectionError('ECONNRESET'), context)).toMatchObject({ kind: 'unknown_outcome', label: 'ECONNRESET' });
  });

  it('treats a timeout and a cancel as unknown outcomes', () => {
    expect(describeFailure(new APIConnectionTimeoutError(), context)).toMatchObject({ kind: 'unknown_outcome', label: 'timeout' });
    expect(describeFailure(new APIUserAbortError(), context)).toMatchObject({ kind: 'unknown_outcome', label: 'cancelled' });
  });

  it('treats anything else (e.g. a body that fails to parse) as an unknown outcome', () => {
    expect(describeFailure(new SyntaxError('Unexpected token <'), context).kind).toBe('unknown_outcome');
  });
});

describe('isPaymentObject', () => {
  it('requires an object with a non-empty payment_id', () => {
    expect(isPaymentObject({ payment_id: 'pay_1' })).toBe(true);
    for (const value of ['<html>', null, [], {}, { payment_id: '' }, { payment_id: 5 }]) expect(isPaymentObject(value)).toBe(false);
    expect(classifyFailure({ type: 'not_a_payment' }).kind).toBe('unknown_outcome');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(10);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
