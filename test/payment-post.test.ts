// payment-post.ts sends POST /payments without the official client's per-call machinery: held here to the client
// itself, set up as the server sets it up, against the same answers and faults. Each case runs both and compares what
// reached the API (method, path, every header, body) and what came back (the value, or the error's class and fields).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DodoPayments } from 'dodopayments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOptions } from '../src/dodo/api-client.js';
import { type PaymentPost, paymentPost } from '../src/dodo/payment-post.js';

const BODY = {
  billing: { country: 'US' as const },
  customer: { email: 'buyer@example.com' },
  product_cart: [{ product_id: 'pdt_1', quantity: 2 }],
  metadata: { reference: 'ref_é' },
};
const PAYMENT = { payment_id: 'pay_1', total_amount: 1000, client_secret: 'secret' };

type Answer = (response: ServerResponse, socket: Socket) => void;
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
const raw =
  (status: number, contentType: string | undefined, text: string): Answer =>
  (response) => {
    response.writeHead(status, contentType === undefined ? {} : { 'content-type': contentType }).end(text);
  };

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let answer: Answer = json(200, PAYMENT);
let received: Received[] = [];
let onReceived: (() => void) | undefined;
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    received.push({ method: request.method, url: request.url, headers: request.headers, body });
    onReceived?.();
    answer(response, request.socket);
  });
});
let baseUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const settings = (timeoutMs = 5_000, url = baseUrl) => ({
  baseUrl: url,
  timeoutMs,
  apiKey: 'sk_test_payment_post',
  serverVersion: '9.9.9',
});

/** What a call came to, in the terms the failure classification reads. */
async function outcomeOf(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    return { value: await call };
  } catch (thrown) {
    const error = thrown as Error & { status?: unknown; error?: unknown; headers?: { get(name: string): string | null }; cause?: unknown };
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    return {
      class: error.constructor.name,
      name: error.name,
      message: error.message,
      status: error.status,
      error: error.error,
      retryAfter: error.headers?.get('retry-after'),
      causeCode: cause?.code,
      causeMessage: cause?.message,
    };
  }
}

/** The same call by the official client and by paymentPost, each with a signal from `signalFor` (fresh per run). */
async function bothWays(options: { timeoutMs?: number; url?: string; signalFor?: () => AbortSignal | undefined } = {}) {
  const client = new DodoPayments(clientOptions(settings(options.timeoutMs, options.url)));
  const post: PaymentPost = await paymentPost(client);
  const runs = [];
  const byClient: PaymentPost = (body, signal) => client.payments.create(body, { signal });
  for (const send of [byClient, post]) {
    received = [];
    const outcome = await outcomeOf(send(BODY, options.signalFor?.()));
    runs.push({ outcome, received });
  }
  return { byClient: runs[0], byPost: runs[1] };
}

describe('paymentPost, held to the official client', () => {
  it.each<[string, Answer]>([
    ['a payment (200, JSON with a charset)', json(200, PAYMENT, { 'content-type': 'application/json; charset=utf-8' })],
    ['a payment (201)', json(201, PAYMENT)],
    ['204, no body', (response) => response.writeHead(204).end()],
    ['200 with a +json media type', raw(200, 'application/problem+json', '{"a":1}')],
    ['200 as plain text', raw(200, 'text/plain', 'created')],
    ['200 without a content type', raw(200, undefined, '{"payment_id":"pay_1"}')],
    ['200 JSON that does not parse', raw(200, 'application/json', '{"payment_id":')],
    [
      '200 JSON with an empty body',
      (response) => response.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' }).end(),
    ],
    ['400 with a Dodo error body', json(400, { code: 'INVALID_REQUEST', message: 'product_cart is empty' })],
    ['401', json(401, { code: 'UNAUTHORIZED', message: 'Invalid API key' })],
    ['404', json(404, { code: 'NOT_FOUND', message: 'no such product' })],
    ['409', json(409, { code: 'CONFLICT', message: 'busy' })],
    ['422', json(422, { code: 'UNSUPPORTED_COUNTRY', message: 'AI is not served' })],
    ['429 with Retry-After', json(429, { code: 'RATE_LIMITED', message: 'slow down' }, { 'retry-after': '7' })],
    ['500 with a JSON body', json(500, { message: 'internal' })],
    ['500 with a text body', raw(500, 'text/plain', 'upstream exploded')],
    ['500 whose body parses to null', raw(500, 'application/json', 'null')],
    ['500 whose body parses to 0', raw(500, 'application/json', '0')],
    ['502 with an HTML body', raw(502, 'text/html', '<h1>Bad gateway</h1>')],
    ['303 to elsewhere', (response) => response.writeHead(303, { location: '/payments/pay_1' }).end()],
    ['a connection reset before any answer', (_response, socket) => socket.destroy()],
    [
      'a connection cut mid-body',
      (response, socket) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        response.write('{"payment_id":"pay_', () => socket.destroy());
      },
    ],
  ])('%s: the same request and the same outcome', async (_name, scripted) => {
    answer = scripted;
    const { byClient, byPost } = await bothWays();
    expect(byClient?.received).toHaveLength(1);
    expect(byPost?.received).toEqual(byClient?.received);
    expect(byPost?.outcome).toEqual(byClient?.outcome);
  });

  it("sends the client's headers, body and path", async () => {
    answer = json(200, PAYMENT);
    const { byPost } = await bothWays();
    const [request] = byPost?.received ?? [];
    expect(request).toMatchObject({ method: 'POST', url: '/payments', body: JSON.stringify(BODY) });
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer sk_test_payment_post',
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^DodoPayments\/JS \S+ dodo-payments-mcp\/9\.9\.9$/),
      'x-stainless-retry-count': '0',
    });
  });

  it('times out as the client does when the API never answers', async () => {
    answer = () => undefined;
    const { byClient, byPost } = await bothWays({ timeoutMs: 50 });
    expect(byClient?.outcome).toMatchObject({ class: 'APIConnectionTimeoutError' });
    expect(byPost?.outcome).toEqual(byClient?.outcome);
  });

  it('is cancelled as the client is: before sending, nothing reaches the API', async () => {
    const { byClient, byPost } = await bothWays({ signalFor: () => AbortSignal.abort() });
    expect(byClient).toEqual({ outcome: expect.objectContaining({ class: 'APIUserAbortError' }), received: [] });
    expect(byPost).toEqual(byClient);
  });

  it('is cancelled as the client is: while the API holds the request', async () => {
    answer = () => undefined;
    const signalFor = () => {
      const controller = new AbortController();
      onReceived = () => controller.abort();
      return controller.signal;
    };
    const { byClient, byPost } = await bothWays({ signalFor });
    onReceived = undefined;
    expect(byClient?.outcome).toMatchObject({ class: 'APIUserAbortError' });
    expect(byPost).toEqual(byClient);
  });

  it('fails to connect as the client does (nothing listening)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { byClient, byPost } = await bothWays({ url });
    expect(byClient?.outcome).toMatchObject({ class: 'APIConnectionError', causeCode: 'ECONNREFUSED' });
    expect(byPost).toEqual(byClient);
  });
});
