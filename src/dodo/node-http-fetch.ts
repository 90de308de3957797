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

// node:http(s) (with TLS) take over 10 ms to load: loaded on the first request, not at start.
const transports = new Map<string, Promise<Transport>>();
function transportFor(protocol: 'http:' | 'https:'): Promise<Transport> {
  let transport = transports.get(protocol);
  if (!transport) {
    const options = { keepAlive: true, scheduling: 'lifo' } as const;
    transport =
      protocol === 'https:'
        ? import('node:https').then(({ request, Agent }) => ({ send: request as typeof httpRequest, agent: new Agent(options) }))
        : import('node:http').then(({ request, Agent }) => ({ send: request, agent: new Agent(options) }));
    transports.set(protocol, transport);
  }
  return transport;
}

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export const nodeHttpFetch: Fetch = async (input, init = {}) => {
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
    const onAbort = () => request.destroy(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    request.on('error', (error) => {
      settle();
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        settle();
        reject(error);
      });
      response.on('end', () => {
        settle();
        if (!response.complete) return reject(Object.assign(new Error('connection closed mid-response'), { code: 'ECONNRESET' }));
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
};

function toHeaderRecord(headers: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
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
