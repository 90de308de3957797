import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogFields, Logger } from '../../logging/logger.js';
import type { Authenticate } from './authentication.js';
import { createMcpEndpoint, type McpServerFor } from './mcp-endpoint.js';
import { readBodyWithinLimit } from './request-body.js';
import { hostNameOf, isHostAllowed, isOriginAllowed } from './request-guards.js';

const MCP_PATH = '/mcp';
const HEALTH_PATH = '/healthz';
/** Tool arguments are a few kilobytes at most; 1 MiB leaves room and bounds what one request can make us hold. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpServerOptions {
  /** Address to bind; 127.0.0.1 unless the server is meant to be reachable from other machines. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger: Logger;
  /** A fresh MCP server for one request of one protocol era; `principal` is undefined when authentication is off. */
  createMcpServer: McpServerFor;
  authenticate: Authenticate;
  /** Host names (no port, lower case) a request's Host header may name. */
  allowedHosts: readonly string[];
  /** Origins a browser request may come from; `scheme://host:*` allows any port. */
  allowedOrigins: readonly string[];
  maxBodyBytes?: number;
  /** Body of `GET /healthz`: 200 when its `status` is `ok`, 503 otherwise or when it rejects. */
  health(): Promise<Record<string, unknown>>;
  /** Static JSON documents served on GET without authentication, by path (e.g. OAuth protected-resource metadata). */
  jsonDocuments?: Readonly<Record<string, unknown>>;
  /** More for the start line (`http_listening`), e.g. whether a spend policy is loaded. */
  listeningFields?: LogFields;
}

export interface RunningHttpServer {
  /** The MCP endpoint, `http://host:port/mcp`. */
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  stop(options: { graceMs: number }): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const documents = new Map(Object.entries(options.jsonDocuments ?? {}).map(([path, document]) => [path, JSON.stringify(document)]));
  const inFlight = new Set<ServerResponse>();
  // Without OAuth documents there is no sign-in; clients that look for one (mcp-remote tries dynamic client
  // registration, the SDK shows the error_description) learn from the 404 what to do instead.
  const notFound =
    documents.size === 0
      ? `Nothing here; the MCP endpoint is ${MCP_PATH}. This server offers no OAuth sign-in: it takes a bearer token (--header "Authorization: Bearer <token>")`
      : `Nothing here; the MCP endpoint is ${MCP_PATH}`;
  let stopping = false;
  const answerMcp = createMcpEndpoint(options.createMcpServer, (reason) => logger.debug('mcp_handler_error', { error: reason }));

  // Expected refusals (a GET probing for a stream, a newer protocol version, a client looking for OAuth documents,
  // a first request without a token) are ordinary traffic: `info`. `warn` is for what an operator should look at.
  const reject = (
    request: IncomingMessage,
    response: ServerResponse,
    refusal: { status: number; reason: string; level?: 'info' | 'warn' },
    body: unknown,
    headers: OutgoingHttpHeaders = {},
  ) => {
    const { status, reason, level = 'info' } = refusal;
    logger[level]('http_request_rejected', { status, reason, method: request.method, path: pathOf(request) });
    sendJson(response, status, body, headers);
  };

  const handleMcpPost = async (request: IncomingMessage, response: ServerResponse) => {
    // Credentials first: an unauthenticated caller gets no body parsing and no MCP server.
    const decision = await options.authenticate(request.headers.authorization);
    if (!decision.ok) {
      // A request without credentials is how every client starts (and how OAuth discovery begins); a wrong
      // token or a missing scope is worth a look.
      const { error = 'unauthorized', description } = decision;
      return reject(
        request,
        response,
        { status: decision.status, reason: `${error}: ${description}`, level: decision.error === undefined ? 'info' : 'warn' },
        { error, error_description: description },
        { 'WWW-Authenticate': decision.wwwAuthenticate },
      );
    }
    const read = await readBodyWithinLimit(request, maxBodyBytes);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too_large') {
      // The unread rest of the body would otherwise have to be drained before the connection could be reused.
      return reject(
        request,
        response,
        { status: 413, reason: `body over ${maxBodyBytes} bytes`, level: 'warn' },
        jsonRpcError(-32000, `Payload Too Large: the request body must not exceed ${maxBodyBytes} bytes`),
        { Connection: 'close' },
      );
    }
    let message: unknown;
    try {
      message = JSON.parse(read.body.toString('utf8'));
    } catch {
      return reject(request, response, { status: 400, reason: 'body is not JSON' }, jsonRpcError(-32700, 'Parse error: Invalid JSON'));
    }

    // The SDK answers protocol-level refusals itself (406, 415, 400 bad version, …) and reports why here.
    let refusal = 'refused by the MCP transport';
    response.on('finish', () => {
      // 406, 415, 400 for an unsupported protocol version: the client's business.
      if (response.statusCode >= 400) {
        logger.info('http_request_rejected', { status: response.statusCode, reason: refusal, method: request.method, path: MCP_PATH });
      }
    });
    await answerMcp(request, response, message, decision.principal, (reason) => (refusal = reason));
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = pathOf(request);
    const document = path === undefined ? undefined : documents.get(path);
    const origin = request.headers.origin;
    // The Origin check guards /mcp (and /healthz); the public documents are for any origin, browsers included.
    if (document === undefined && origin !== undefined && !isOriginAllowed(origin, options.allowedOrigins)) {
      return reject(
        request,
        response,
        { status: 403, reason: 'origin not allowed', level: 'warn' },
        jsonRpcError(-32000, 'Forbidden: Origin not allowed'),
      );
    }
    // Probes (load balancers, Kubernetes) address the server by its IP, so /healthz skips the Host check;
    // it reveals nothing a rebinding page could misuse.
    if (path === HEALTH_PATH) {
      if (request.method !== 'GET') return reject(request, response, METHOD_NOT_ALLOWED, notAllowed(request), { Allow: 'GET' });
      try {
        const body = await options.health();
        return sendJson(response, body.status === 'ok' ? 200 : 503, body);
      } catch (error) {
        const reason = `health check failed: ${error instanceof Error ? error.message : String(error)}`;
        return reject(request, response, { status: 503, reason, level: 'warn' }, { status: 'unavailable' });
      }
    }
    if (!isHostAllowed(request.headers.host, options.allowedHosts)) {
      return reject(
        request,
        response,
        { status: 403, reason: 'host not allowed', level: 'warn' },
        jsonRpcError(-32000, 'Forbidden: Host not allowed'),
      );
    }
    if (path === MCP_PATH) {
      // Stateless JSON mode: no server-initiated stream to GET, no session to DELETE.
      if (request.method !== 'POST') {
        return reject(request, response, METHOD_NOT_ALLOWED, jsonRpcError(-32000, 'Method not allowed: this server accepts POST only'), {
          Allow: 'POST',
        });
      }
      return handleMcpPost(request, response);
    }
    if (document !== undefined) return serveDocument(request, response, document);
    return reject(request, response, { status: 404, reason: 'no such path' }, { error: 'not_found', error_description: notFound });
  };

  /** A public document (RFC 9728 metadata), readable by browser-based clients of any origin: CORS and its preflight. */
  const serveDocument = (request: IncomingMessage, response: ServerResponse, document: string) => {
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (request.method === 'OPTIONS') {
      response
        .writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'GET, OPTIONS',
          'Access-Control-Allow-Headers': '*',
          'Access-Control-Max-Age': '86400',
        })
        .end();
      return;
    }
    if (request.method !== 'GET')
      return reject(request, response, METHOD_NOT_ALLOWED, notAllowed(request), { ...cors, Allow: 'GET, OPTIONS' });
    sendRaw(response, 200, document, cors);
  };

  const server = createServer((request, response) => {
    inFlight.add(response);
    response.on('close', () => inFlight.delete(response));
    if (stopping) response.setHeader('Connection', 'close');
    route(request, response).catch((error: unknown) => {
      logger.warn('http_request_failed', {
        method: request.method,
        path: pathOf(request),
        error: error instanceof Error ? error.message : String(error),
      });
      if (!response.headersSent) sendJson(response, 500, jsonRpcError(-32603, 'Internal error'));
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${hostNameOf(options.host)}:${port}${MCP_PATH}`;
  logger.info('http_listening', { url, ...options.listeningFields });

  return {
    url,
    port,
    stop: async ({ graceMs }) => {
      stopping = true;
      // Responses not yet started close their connection when done, so the server can finish closing.
      for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(cutOff);
    },
  };
}

/** The path of the request target (origin form `/mcp?x` or absolute form `http://host/mcp`), without the query. */
function pathOf(request: IncomingMessage): string | undefined {
  const target = request.url ?? '';
  const absolute = target.startsWith('/') ? `http://placeholder${target}` : target;
  return URL.canParse(absolute) ? new URL(absolute).pathname : undefined;
}

const METHOD_NOT_ALLOWED = { status: 405, reason: 'method not allowed' };

function jsonRpcError(code: number, message: string): object {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

function notAllowed(request: IncomingMessage): object {
  return { error: 'method_not_allowed', error_description: `${request.method ?? 'This method'} is not allowed here` };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  sendRaw(response, status, JSON.stringify(body), headers);
}

function sendRaw(response: ServerResponse, status: number, json: string, headers: OutgoingHttpHeaders): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) }).end(json);
}
