// A simulated Dodo Payments API on 127.0.0.1 for the demo, the tests and the benchmark.
// By default it behaves like POST /payments for a small catalogue; tests script any answer per request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Path and query string. */
  url: string;
  authorization: string | undefined;
  userAgent: string | undefined;
  body: unknown;
}

/** Answers one request; `request.body` is already parsed (or the raw text when not JSON). */
export type Responder = (request: RecordedRequest, response: ServerResponse, api: FakeDodoApi) => void | Promise<void>;

export interface CatalogueProduct {
  name: string;
  price: number;
  currency: string;
  pay_what_you_want?: boolean;
  description?: string;
  recurring?: boolean;
  archived?: boolean;
}

export const DEFAULT_CATALOGUE: Record<string, CatalogueProduct> = {
  pdt_course_pro: {
    name: 'Pro course',
    price: 4900,
    currency: 'USD',
    description: 'Twelve video lessons on advanced TypeScript, with exercises and a certificate.',
  },
  pdt_ebook: { name: 'E-book', price: 1500, currency: 'USD', description: 'The companion book in PDF and EPUB.' },
  pdt_tip_jar: { name: 'Tip jar', price: 0, currency: 'USD', pay_what_you_want: true },
  pdt_membership: { name: 'Pro membership', price: 900, currency: 'USD', recurring: true },
  pdt_old_course: { name: 'Old course', price: 2900, currency: 'USD', archived: true },
};

/** A catalogue of `count` one-time products, for pagination tests. */
export function largeCatalogue(count: number): Record<string, CatalogueProduct> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, index) => [
      `pdt_bulk${String(index).padStart(4, '0')}`,
      { name: `Product ${index}${index % 10 === 0 ? ' Deluxe' : ''}`, price: 100 + index, currency: 'EUR', description: 'x'.repeat(300) },
    ]),
  );
}

export interface FakeDodoApiOptions {
  /** Bearer token the simulated API accepts; requests with another get 401. */
  apiKey?: string;
  catalogue?: Record<string, CatalogueProduct>;
  /** Countries the simulated merchant cannot serve (422 UNSUPPORTED_COUNTRY), as the real API refuses some. */
  unsupportedCountries?: readonly string[];
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

export interface FakeDodoApi {
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /**
   * Queue answers for the next requests other than payment searches (`GET /payments`, which a server may send before a
   * POST to look for an earlier payment under the key), in order; when the queue is empty the simulation answers.
   */
  script(...responders: Responder[]): void;
  /** Answers for the next `POST /payments` only, in order, ahead of `script` (reads before it keep the simulation); a test may empty it. */
  paymentScript: Responder[];
  /** Count of POST /payments received. */
  paymentPosts(): number;
  /** Count of requests whose client went away before the answer was complete (cancelled or timed out). */
  abandoned(): number;
  /** Resolves once `abandoned()` has reached `count`. */
  whenAbandoned(count: number): Promise<void>;
  /**
   * A deterministic gate: every request that arrives from now on is recorded, then held unanswered until
   * the returned function is called. Tests use it instead of sleeps to keep calls in flight.
   */
  hold(): () => void;
  /** Resolves once at least `count` requests are being held by `hold()`. */
  held(count: number): Promise<void>;
  /** Payments created so far, by id, with the status the simulation gives them. */
  payments: Map<string, Record<string, unknown>>;
  /** Creates the payment a POST /payments asks for without answering it (for scripting "commit, then fail"). */
  commit(request: RecordedRequest): void;
  /**
   * Payments committed from now on stay out of `GET /payments` for the next `listCalls` list requests
   * (still readable by id): a deterministic stand-in for a list that lags behind writes.
   */
  delayListing(listCalls: number): void;
  /** Count of `GET /payments` (list) requests received. */
  paymentLists(): number;
  close(): Promise<void>;
}

export async function startFakeDodoApi(options: FakeDodoApiOptions = {}): Promise<FakeDodoApi> {
  const { apiKey = 'test_key_demo', catalogue = DEFAULT_CATALOGUE, unsupportedCountries = ['AI'], port = 0 } = options;
  const queue: Responder[] = [];
  const sockets = new Set<Socket>();
  let paymentCount = 0;
  let listingDelay = 0;
  const hiddenFromList = new Map<string, number>();
  let abandonedCount = 0;
  const abandonedWaiters: { count: number; resolve: () => void }[] = [];
  let gate: Promise<void> | undefined;
  let heldCount = 0;
  const heldWaiters: { count: number; resolve: () => void }[] = [];
  const holdIfGated = async () => {
    if (!gate) return;
    const waitFor = gate;
    heldCount += 1;
    for (const waiter of heldWaiters.filter((candidate) => candidate.count <= heldCount)) {
      heldWaiters.splice(heldWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    await waitFor;
  };

  const simulate: Responder = (request, response) => {
    // The hosted checkout: opening the link "pays" the payment, so demos can show a status change.
    const checkout = /^\/checkout\/(pay_\w+)$/.exec(request.path);
    if (request.method === 'GET' && checkout) {
      const payment = api.payments.get(checkout[1] ?? '');
      if (payment) Object.assign(payment, { status: 'succeeded', updated_at: new Date().toISOString() });
      response.writeHead(payment ? 200 : 404, { 'content-type': 'text/html' });
      return void response.end(payment ? '<h1>Paid (simulated)</h1>' : '<h1>Unknown payment</h1>');
    }
    if (request.authorization !== `Bearer ${apiKey}`) {
      return sendJson(response, 401, { code: 'UNAUTHORIZED', message: 'Invalid API key' });
    }
    if (request.method === 'GET' && request.path === '/products') return listProducts(request, response);
    const productPath = /^\/products\/([^/]+)$/.exec(request.path);
    if (request.method === 'GET' && productPath) {
      const id = decodeURIComponent(productPath[1] ?? '');
      const product = catalogue[id];
      return product
        ? sendJson(response, 200, { ...productRecord(id, product), price: priceDetail(product), price_detail: undefined })
        : sendJson(response, 404, { code: 'NOT_FOUND', message: `Product ${id} not found` });
    }
    const paymentPath = /^\/payments\/([^/]+)$/.exec(request.path);
    if (request.method === 'GET' && paymentPath) {
      const id = decodeURIComponent(paymentPath[1] ?? '');
      const payment = api.payments.get(id);
      return payment
        ? sendJson(response, 200, payment)
        : sendJson(response, 404, { code: 'NOT_FOUND', message: `Payment ${id} not found` });
    }
    if (request.method === 'GET' && request.path === '/payments') return listPayments(request, response);
    if (request.method !== 'POST' || request.path !== '/payments') {
      return sendJson(response, 404, { code: 'NOT_FOUND', message: `No route ${request.method} ${request.path}` });
    }
    const created = createPayment(request);
    sendJson(response, created.status, created.body);
  };

  /** POST /payments as the API does it: refusals, or a stored payment and the create response. */
  const createPayment = (request: RecordedRequest): { status: number; body: unknown } => {
    const body = request.body as PaymentBody;
    if (unsupportedCountries.includes(body.billing.country)) {
      return { status: 422, body: { code: 'UNSUPPORTED_COUNTRY', message: `Country ${body.billing.country} currently not supported` } };
    }
    let total = 0;
    for (const item of body.product_cart) {
      const product = catalogue[item.product_id];
      if (!product) return { status: 404, body: { code: 'NOT_FOUND', message: `Product ${item.product_id} not found` } };
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
    const paymentLink = body.payment_link ? `${api.url}/checkout/${paymentId}` : null;
    const currency = catalogue[body.product_cart[0]?.product_id ?? '']?.currency ?? 'USD';
    api.payments.set(paymentId, {
      payment_id: paymentId,
      status: 'requires_payment_method',
      total_amount: total,
      currency,
      customer,
      metadata: body.metadata ?? {},
      created_at: new Date().toISOString(),
      payment_link: paymentLink,
      product_cart: body.product_cart,
      refunds: [],
      disputes: [],
    });
    if (listingDelay > 0) hiddenFromList.set(paymentId, listingDelay);
    return {
      status: 200,
      body: {
        payment_id: paymentId,
        client_secret: `${paymentId}_secret_sim`,
        customer,
        metadata: body.metadata ?? {},
        total_amount: total,
        payment_link: paymentLink,
        product_cart: body.product_cart,
        discount_id: null,
        discount_ids: null,
        expires_on: body.payment_link ? new Date(Date.UTC(2030, 0, 1)).toISOString() : null,
      },
    };
  };

  // GET /payments: newest first, page_number from 0, page_size up to 100, filters created_at_gte and
  // customer_id; items are shaped like the SDK's PaymentListResponse (metadata, no payment_link).
  const listPayments = (request: RecordedRequest, response: ServerResponse) => {
    const query = new URL(request.url, 'http://localhost').searchParams;
    const pageSize = Math.min(Number(query.get('page_size') ?? 10), 100);
    const pageNumber = Number(query.get('page_number') ?? 0);
    const createdFrom = query.get('created_at_gte');
    const customerId = query.get('customer_id');
    const listed = [...api.payments.values()].filter((payment) => {
      const id = payment.payment_id as string;
      const hiddenFor = hiddenFromList.get(id) ?? 0;
      if (hiddenFor > 0) {
        hiddenFromList.set(id, hiddenFor - 1);
        return false;
      }
      return (
        (createdFrom === null || Date.parse(payment.created_at as string) >= Date.parse(createdFrom)) &&
        (customerId === null || (payment.customer as { customer_id: string }).customer_id === customerId)
      );
    });
    listed.reverse();
    const page = listed.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize);
    sendJson(response, 200, { items: page.map(paymentListItem) });
  };

  // GET /products: page_number from 0, page_size up to 100, filters recurring and archived, as the API does.
  const listProducts = (request: RecordedRequest, response: ServerResponse) => {
    const query = new URL(request.url, 'http://localhost').searchParams;
    const pageSize = Math.min(Number(query.get('page_size') ?? 10), 100);
    const pageNumber = Number(query.get('page_number') ?? 0);
    const recurring = query.get('recurring');
    const archived = query.get('archived') === 'true';
    const matching = Object.entries(catalogue).filter(
      ([, product]) => (recurring === null || String(product.recurring ?? false) === recurring) && (product.archived ?? false) === archived,
    );
    const page = matching.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize);
    sendJson(response, 200, { items: page.map(([id, product]) => productRecord(id, product)) });
  };

  const server = createServer(async (incoming: IncomingMessage, response: ServerResponse) => {
    response.on('close', () => {
      if (response.writableFinished) return;
      abandonedCount += 1;
      for (const waiter of abandonedWaiters.filter((candidate) => candidate.count <= abandonedCount)) {
        abandonedWaiters.splice(abandonedWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
    const text = await readBody(incoming);
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: (incoming.url ?? '/').split('?')[0] ?? '/',
      url: incoming.url ?? '/',
      authorization: incoming.headers.authorization,
      userAgent: incoming.headers['user-agent'],
      body: parseJsonOrText(text),
    };
    api.requests.push(request);
    await holdIfGated();
    const forPayment = request.method === 'POST' && request.path === '/payments' ? api.paymentScript.shift() : undefined;
    const isSearch = request.method === 'GET' && request.path === '/payments';
    await (forPayment ?? (isSearch ? undefined : queue.shift()) ?? simulate)(request, response, api);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  const api: FakeDodoApi = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    script: (...responders) => queue.push(...responders),
    paymentScript: [],
    paymentPosts: () => api.requests.filter((r) => r.method === 'POST' && r.path === '/payments').length,
    abandoned: () => abandonedCount,
    whenAbandoned: (count) =>
      abandonedCount >= count ? Promise.resolve() : new Promise<void>((resolve) => abandonedWaiters.push({ count, resolve })),
    hold: () => {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      heldCount = 0;
      return () => {
        gate = undefined;
        open();
      };
    },
    held: (count) => (heldCount >= count ? Promise.resolve() : new Promise<void>((resolve) => heldWaiters.push({ count, resolve }))),
    payments: new Map(),
    commit: (request) => void createPayment(request),
    delayListing: (listCalls) => {
      listingDelay = listCalls;
    },
    paymentLists: () => api.requests.filter((r) => r.method === 'GET' && r.path === '/payments').length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return api;
}

function paymentListItem(payment: Record<string, unknown>): Record<string, unknown> {
  const customer = payment.customer as { customer_id: string; email: string; name: string };
  return {
    brand_id: 'bus_sim',
    created_at: payment.created_at,
    currency: payment.currency,
    customer: { customer_id: customer.customer_id, email: customer.email, name: customer.name },
    digital_products_delivered: false,
    has_license_key: false,
    is_multi_subscription: false,
    metadata: payment.metadata,
    payment_id: payment.payment_id,
    payment_provider: 'dodo',
    subscription_ids: [],
    total_amount: payment.total_amount,
    status: payment.status,
  };
}

function productRecord(id: string, product: CatalogueProduct): Record<string, unknown> {
  return {
    product_id: id,
    business_id: 'bus_sim',
    name: product.name,
    description: product.description ?? null,
    price: product.price,
    currency: product.currency,
    is_recurring: product.recurring ?? false,
    tax_inclusive: false,
    tax_category: 'digital_products',
    metadata: {},
    entitlements: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    price_detail: priceDetail(product),
  };
}

/** The `Price` object: `price_detail` in a list, `price` itself when one product is retrieved. */
function priceDetail(product: CatalogueProduct): Record<string, unknown> {
  return product.recurring
    ? {
        type: 'recurring_price',
        price: product.price,
        currency: product.currency,
        payment_frequency_count: 1,
        payment_frequency_interval: 'Month',
      }
    : { type: 'one_time_price', price: product.price, currency: product.currency, pay_what_you_want: product.pay_what_you_want ?? false };
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
  /** Never answers (until the test closes the server); calls `arrived` when the request is in. */
  hang:
    (arrived?: () => void): Responder =>
    () => {
      arrived?.();
      return new Promise<void>(() => {});
    },
  /** Sends the status line and part of the body (then calls `written`), then neither finishes nor closes. */
  stallMidBody:
    (written?: () => void): Responder =>
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      response.write('{"payment_id":"pay_', () => written?.());
      return new Promise<void>(() => {});
    },
  /** Creates the payment as asked, then answers with `then` instead (a lost answer to a committed POST). */
  committedThen:
    (then: Responder): Responder =>
    (request, response, api) => {
      api.commit(request);
      return then(request, response, api);
    },
  /** Destroys the connection without any answer (the request arrived; the client sees a reset). */
  reset: (): Responder => (_request, response) => void response.socket?.destroy(),
  /** `101 Switching Protocols`, then silence: the answer never completes. */
  switchingProtocols: (): Responder => (_request, response) => {
    response.socket?.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    return new Promise<void>(() => {});
  },
  /** Sends the status line and part of the body, then destroys the connection. */
  resetMidResponse: (): Responder => (_request, response) => {
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
