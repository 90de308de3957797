// A simulated Dodo Payments API on 127.0.0.1 for the demo, the tests and the benchmark.
// By default it behaves like POST /payments for a small catalogue; tests script any answer per request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** Answers one request; `request.body` is already parsed (or the raw text when not JSON). */
export type Responder = (request: RecordedRequest, response: ServerResponse, api: FakeDodoApi) => void | Promise<void>;

export interface CatalogueProduct {
  name: string;
  price: number;
  currency: string;
  pay_what_you_want?: boolean;
}

export const DEFAULT_CATALOGUE: Record<string, CatalogueProduct> = {
  pdt_course_pro: { name: 'Pro course', price: 4900, currency: 'USD' },
  pdt_ebook: { name: 'E-book', price: 1500, currency: 'USD' },
  pdt_tip_jar: { name: 'Tip jar', price: 0, currency: 'USD', pay_what_you_want: true },
};

export interface FakeDodoApiOptions {
  /** Bearer token the simulated API accepts; requests with another get 401. */
  apiKey?: string;
  catalogue?: Record<string, CatalogueProduct>;
  /** Countries the simulated merchant cannot serve (422 UNSUPPORTED_COUNTRY), as the real API refuses some. */
  unsupportedCountries?: readonly string[];
}

export interface FakeDodoApi {
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queue answers for the next requests, in order; when the queue is empty the simulation answers. */
  script(...responders: Responder[]): void;
  /** Count of POST /payments received. */
  paymentPosts(): number;
  /** Count of requests whose client went away before the answer was complete (cancelled or timed out). */
  abandoned(): number;
  close(): Promise<void>;
}

export async function startFakeDodoApi(options: FakeDodoApiOptions = {}): Promise<FakeDodoApi> {
  const { apiKey = 'test_key_demo', catalogue = DEFAULT_CATALOGUE, unsupportedCountries = ['AI'] } = options;
  const queue: Responder[] = [];
  const sockets = new Set<Socket>();
  let paymentCount = 0;
  let abandonedCount = 0;

  const simulate: Responder = (request, response) => {
    if (request.authorization !== `Bearer ${apiKey}`) {
      return sendJson(response, 401, { code: 'UNAUTHORIZED', message: 'Invalid API key' });
    }
    if (request.method !== 'POST' || request.path !== '/payments') {
      return sendJson(response, 404, { code: 'NOT_FOUND', message: `No route ${request.method} ${request.path}` });
    }
    const body = request.body as PaymentBody;
    if (unsupportedCountries.includes(body.billing.country)) {
      return sendJson(response, 422, {
        code: 'UNSUPPORTED_COUNTRY',
        message: `Country ${body.billing.country} currently not supported`,
      });
    }
    let total = 0;
    for (const item of body.product_cart) {
      const product = catalogue[item.product_id];
      if (!product) {
        return sendJson(response, 404, { code: 'NOT_FOUND', message: `Product ${item.product_id} not found` });
      }
      total += (product.pay_what_you_want ? (item.amount ?? 0) : product.price) * item.quantity;
    }
    paymentCount += 1;
    const paymentId = `pay_sim${String(paymentCount).padStart(6, '0')}`;
    const customer =
      'customer_id' in body.customer
        ? { customer_id: body.customer.customer_id, email: 'existing@example.com', name: 'Existing Customer' }
        : {
            customer_id: `cus_sim${String(paymentCount).padStart(6, '0')}`,
            email: body.customer.email,
            name: body.customer.name ?? body.customer.email,
            phone_number: body.customer.phone_number ?? null,
          };
    sendJson(response, 200, {
      payment_id: paymentId,
      client_secret: `${paymentId}_secret_sim`,
      customer,
      metadata: body.metadata ?? {},
      total_amount: total,
      payment_link: body.payment_link ? `${api.url}/checkout/${paymentId}` : null,
      product_cart: body.product_cart,
      discount_id: null,
      discount_ids: null,
      expires_on: body.payment_link ? new Date(Date.UTC(2030, 0, 1)).toISOString() : null,
    });
  };

  const server = createServer(async (incoming: IncomingMessage, response: ServerResponse) => {
    response.on('close', () => {
      if (!response.writableFinished) abandonedCount += 1;
    });
    const text = await readBody(incoming);
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: (incoming.url ?? '/').split('?')[0] ?? '/',
      authorization: incoming.headers.authorization,
      body: parseJsonOrText(text),
    };
    api.requests.push(request);
    await (queue.shift() ?? simulate)(request, response, api);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const api: FakeDodoApi = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    script: (...responders) => queue.push(...responders),
    paymentPosts: () => api.requests.filter((r) => r.method === 'POST' && r.path === '/payments').length,
    abandoned: () => abandonedCount,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return api;
}

interface PaymentBody {
  billing: { country: string };
  customer: { customer_id: string } | { email: string; name?: string; phone_number?: string };
  product_cart: { product_id: string; quantity: number; amount?: number }[];
  metadata?: Record<string, string>;
  payment_link?: boolean;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Ready-made scripted answers. */
export const answer = {
  json:
    (status: number, body: unknown, headers: Record<string, string> = {}): Responder =>
    (_request, response) =>
      sendJson(response, status, body, headers),
  error: (status: number, code: string, message: string, headers: Record<string, string> = {}): Responder =>
    answer.json(status, { code, message }, headers),
  text:
    (status: number, contentType: string, body: string): Responder =>
    (_request, response) => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    },
  /** Never answers (until the test closes the server). */
  hang: (): Responder => () => new Promise<void>(() => {}),
  /** Sends the status line and part of the body, then destroys the connection. */
  resetMidResponse:
    (): Responder =>
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      response.write('{"payment_id":"pay_');
      setTimeout(() => response.socket?.destroy(), 10);
    },
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJsonOrText(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
