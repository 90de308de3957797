import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Principal } from '../../auth/access.js';
import type { LogFields, Logger } from '../../logging/logger.js';
import type { Authenticate } from './authentication.js';
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
  /** A fresh MCP server for one request; `principal` is undefined when authentication is off. */
  createMcpServer(principal: Principal | undefined): McpServer;
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
  let stopping = false;

  const reject = (
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    reason: string,
    body: unknown,
    headers: OutgoingHttpHeaders = {},
  ) => {
    logger.warn('http_request_rejected', { status, reason, method: request.method, path: pathOf(request) });
    sendJson(response, status, body, headers);
  };

  const handleMcpPost = async (request: IncomingMessage, response: ServerResponse) => {
    // Credentials first: an unauthenticated caller gets no body parsing and no MCP server.
    const decision = await options.authenticate(request.headers.authorization);
    if (!decision.ok) {
      return reject(
        request,
        response,
        decision.status,
        `${decision.error}: ${decision.description}`,
        { error: decision.error, error_description: decision.description },
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
        413,
        `body over ${maxBodyBytes} bytes`,
        jsonRpcError(-32000, `Payload Too Large: the request body must not exceed ${maxBodyBytes} bytes`),
        { Connection: 'close' },
      );
    }
    let message: unknown;
    try {
      message = JSON.parse(read.body.toString('utf8'));
    } catch {
      return reject(request, response, 400, 'body is not JSON', jsonRpcError(-32700, 'Parse error: Invalid JSON'));
    }

    const server = options.createMcpServer(decision.principal);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    // The transport answers protocol-level refusals itself (406, 415, 400 bad version, …) and reports why here.
    let transportRefusal = 'refused by the MCP transport';
    transport.onerror = (error) => (transportRefusal = error.message);
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    response.on('finish', () => {
      if (response.statusCode >= 400) {
        logger.warn('http_request_rejected', {
          status: response.statusCode,
          reason: transportRefusal,
          method: request.method,
          path: MCP_PATH,
        });
      }
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, message);
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !isOriginAllowed(origin, options.allowedOrigins)) {
      return reject(request, response, 403, 'origin not allowed', jsonRpcError(-32000, 'Forbidden: Origin not allowed'));
    }
    const path = pathOf(request);
    // Probes (load balancers, Kubernetes) address the server by its IP, so /healthz skips the Host check;
    // it reveals nothing a rebinding page could misuse.
    if (path === HEALTH_PATH) {
      if (request.method !== 'GET') return reject(request, response, 405, 'method not allowed', notAllowed(request), { Allow: 'GET' });
      try {
        const body = await options.health();
        return sendJson(response, body.status === 'ok' ? 200 : 503, body);
      } catch (error) {
        return reject(request, response, 503, `health check failed: ${error instanceof Error ? error.message : String(error)}`, {
          status: 'unavailable',
        });
      }
    }
    if (!isHostAllowed(request.headers.host, options.allowedHosts)) {
      return reject(request, response, 403, 'host not allowed', jsonRpcError(-32000, 'Forbidden: Host not allowed'));
    }
    if (path === MCP_PATH) {
      // Stateless JSON mode: no server-initiated stream to GET, no session to DELETE.
      if (request.method !== 'POST') {
        return reject(
          request,
          response,
          405,
          'method not allowed',
          jsonRpcError(-32000, 'Method not allowed: this server accepts POST only'),
          { Allow: 'POST' },
        );
      }
      return handleMcpPost(request, response);
    }
    const document = path === undefined ? undefined : documents.get(path);
    if (document !== undefined) {
      if (request.method !== 'GET') return reject(request, response, 405, 'method not allowed', notAllowed(request), { Allow: 'GET' });
      return sendRaw(response, 200, document, {});
    }
    return reject(request, response, 404, 'no such path', {
      error: 'not_found',
      error_description: `Nothing here; the MCP endpoint is ${MCP_PATH}`,
    });
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
