import type { Agent, request as httpRequest, IncomingHttpHeaders } from 'node:http';

// The official client accepts any `fetch`. Node's global fetch (undici) builds web streams, a wasm
// HTTP parser and transferable abort signals for every request; measured here, that was the largest
// per-call cost. This adapter does the same job on node:http(s) with keep-alive connections: the
// request goes out in one write, the answer is buffered whole (so the timeout covers the body too),
// and the response offers exactly what the client reads (ok, status, url, headers, json, text).

interface Transport {
  send: typeof httpRequest;
  agent: Agent;
}

/**
 * Pooled connections: a socket left idle is closed after `timeout` ms, or one second before the API's
 * `Keep-Alive: timeout=N` hint when that is shorter (Node applies the hint only below this option). Without an
 * idle limit, a POST written on a connection the API has just closed comes back as a reset: an unknown outcome
 * for a request that never arrived.
 */
export const KEEP_ALIVE_AGENT_OPTIONS = { keepAlive: true, scheduling: 'lifo', timeout: 4_000 } as const;

// node:http(s) (with TLS) take over 10 ms to load: loaded on the first request, not at start.
const transports = new Map<string, Promise<Transport>>();
function transportFor(protocol: 'http:' | 'https:'): Promise<Transport> {
  let transport = transports.get(protocol);
  if (!transport) {
    const options = KEEP_ALIVE_AGENT_OPTIONS;
    transport =
      protocol === 'https:'
        ? import('node:https').then(({ request, Agent }) => ({ send: request as typeof httpRequest, agent: new Agent(options) }))
        : import('node:http').then(({ request, Agent }) => ({ send: request, agent: new Agent(options) }));
    transports.set(protocol, transport);
  }
  return transport;
}

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export const nodeHttpFetch: Fetch = (input, init) => timedHttpFetch(input, init);

/**
 * nodeHttpFetch with a timeout of its own, rejecting with a `TimeoutError` once `timeoutMs` have passed unsettled: what
 * the official client does with an AbortController linked to the caller's signal and a timer, without the controller
 * (payment-post.ts; an AbortController costs ~4 µs on Node 20).
 */
export async function timedHttpFetch(input: string | URL | Request, init: RequestInit = {}, timeoutMs?: number): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const { send, agent } = await transportFor(url.protocol === 'https:' ? 'https:' : 'http:');
  const { signal } = init;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const body = init.body ?? undefined;
    // The client sends JSON text; anything else (streams, forms) is not needed here and must not be dropped silently.
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return reject(new TypeError('nodeHttpFetch sends only string or byte bodies'));
    }
    const headers = toHeaderRecord(init.headers);
    // A known length lets Node send headers and body in one write instead of chunked pieces.
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const request = send(url, { method: init.method ?? 'GET', headers, agent });
    // Settled exactly once, by whichever comes first: whatever the bytes, an abort (cancellation or the
    // client's timeout) ends the call at once, and a socket that closes without an answer is an error.
    let settled = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => fail(timeoutError()), timeoutMs);
    /** Lets go of the timer and the caller's signal; false when the call had already settled. */
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: Error) => {
      if (!settle()) return;
      reject(error);
      request.destroy();
    };
    const onAbort = () => fail(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', fail);
    // 'close' follows every request, answered or not: the error (and its stack) is built only when it is the outcome.
    request.on('close', () => {
      if (!settled) fail(Object.assign(new Error('connection closed before the answer was complete'), { code: 'ECONNRESET' }));
    });
    // A 101 hands the socket over to another protocol: no HTTP answer will ever complete on it.
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      fail(Object.assign(new Error('the API switched protocols instead of answering'), { code: 'UNEXPECTED_UPGRADE' }));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        if (!response.complete) return fail(Object.assign(new Error('connection closed mid-response'), { code: 'ECONNRESET' }));
        if (!settle()) return;
        resolve(
          bufferedResponse(
            url.href,
            response.statusCode ?? 0,
            response.statusMessage ?? '',
            response.headers,
            Buffer.concat(chunks).toString('utf8'),
          ),
        );
      });
    });
    request.end(body);
  });
}

/** A copy to add content-length to; a plain record (the payment POST's headers, built once) is taken as written. */
function toHeaderRecord(headers: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers !== undefined && !(headers instanceof Headers) && !Array.isArray(headers)) {
    for (const name of Object.keys(headers)) {
      const value = headers[name] as string | readonly string[];
      record[name] = typeof value === 'string' ? value : value.join(', ');
    }
    return record;
  }
  for (const [name, value] of headers instanceof Headers ? headers : new Headers(headers)) record[name] = value;
  return record;
}

/** Read-only response headers: the client only calls get(); undici's Headers re-validates every entry. */
class ReceivedHeaders {
  readonly #raw: IncomingHttpHeaders;
  constructor(raw: IncomingHttpHeaders) {
    this.#raw = raw;
  }
  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
}

function abortError(): Error {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** What a timed-out call rejects with, and a timed-out deadline aborts with: Node's own `AbortSignal.timeout` reason. */
export function timeoutError(): Error {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

function bufferedResponse(url: string, status: number, statusText: string, raw: IncomingHttpHeaders, text: string): Response {
  const response = {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    url,
    headers: new ReceivedHeaders(raw),
    body: null,
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
  };
  return response as unknown as Response;
}
