import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  classifyInboundRequest,
  isJsonContentType,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type Server as McpServer,
  parseJSONRPCMessage,
} from '@modelcontextprotocol/server';
import type { Principal } from '../../auth/access.js';
import { RequestMultiplexer } from './request-multiplexer.js';

/** Servers kept when shared per principal: OAuth brings one principal per subject and client, so the oldest goes. */
const MAX_SHARED_SERVERS = 256;

export interface LegacyServers {
  /** A server for 2025-era requests. */
  serverFor: (principal: Principal | undefined) => McpServer;
  /**
   * Whether `serverFor` depends on nothing but the principal's fields (kind, subject, client, access): then one server
   * per principal answers all its plain requests, concurrently, instead of a fresh one per request.
   */
  perPrincipal: boolean;
}

/**
 * Answers what nearly every hosted call is, a 2025-era JSON-RPC request (not `initialize`) POSTed stateless for a
 * JSON answer, on node:http directly: the SDK's web-standard transport would copy the request into a `Request`, and
 * the answer out of a `Response`, and be built anew, for every call (docs/design.md has what that cost). An SDK
 * server answers, as before; only the wrapping differs. Resolves to false, having answered nothing, for anything
 * else, including whatever the SDK transport would refuse (406, 415, an unsupported MCP-Protocol-Version): the SDK
 * transport then answers it, as before.
 */
export function createLegacyJsonPost({ serverFor, perPrincipal }: LegacyServers) {
  const connect = async (principal: Principal | undefined) => {
    const multiplexer = new RequestMultiplexer();
    await serverFor(principal).connect(multiplexer);
    return multiplexer;
  };
  const shared = new Map<string, Promise<RequestMultiplexer>>();
  const multiplexerFor = (principal: Principal | undefined): Promise<RequestMultiplexer> => {
    if (!perPrincipal) return connect(principal);
    const key = principal === undefined ? '' : JSON.stringify([principal.kind, principal.access, principal.subject, principal.clientId]);
    let multiplexer = shared.get(key);
    if (multiplexer === undefined) {
      // A forgotten server is not closed: its requests in flight still finish.
      if (shared.size >= MAX_SHARED_SERVERS) shared.delete(shared.keys().next().value as string);
      multiplexer = connect(principal);
      shared.set(key, multiplexer);
      // A factory that failed is asked again by the next request rather than failing every later one.
      multiplexer.catch(() => shared.delete(key));
    }
    return multiplexer;
  };

  return async (
    request: IncomingMessage,
    response: ServerResponse,
    message: unknown,
    principal: Principal | undefined,
  ): Promise<boolean> => {
    if (!isPlainLegacyRequest(request.headers, message)) return false;
    const multiplexer = await multiplexerFor(principal);
    const version = headerValue(request.headers['mcp-protocol-version']);
    if (version !== undefined && !multiplexer.supportedProtocolVersions.includes(version)) return false;
    // As the SDK transport does, the server gets the message as the JSON-RPC schema parses it.
    const parsed = parseJSONRPCMessage(message) as JSONRPCRequest;
    // Gone while waiting for the server: nothing is run for it, as the closed SDK transport would run nothing.
    if (response.destroyed) return true;
    const answer = await new Promise<JSONRPCResponse | undefined>((resolve) => {
      // The client gone first: the handler's signal aborts, as closing the SDK transport did.
      const cancel = multiplexer.exchange(parsed, resolve);
      response.once('close', () => {
        cancel();
        resolve(undefined);
      });
    });
    if (answer === undefined || response.destroyed) return true;
    // One string, so Node sends the headers and the body in one write; the bytes the SDK's Response.json gave.
    const json = JSON.stringify(answer);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
    return true;
  };
}

/**
 * Would pass the SDK transport's Accept and Content-Type checks, and is one 2025-era request that the SDK's era
 * classification (the one `isLegacyRequest` makes) calls `no-claim`: not `initialize`, which binds a server to its
 * client, nor a notification, batch or response.
 */
function isPlainLegacyRequest(headers: IncomingHttpHeaders, message: unknown): boolean {
  const accept = headers.accept;
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
  if (!isJsonContentType(headers['content-type'])) return false;
  const route = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: headerValue(headers['mcp-protocol-version']),
    mcpMethodHeader: headerValue(headers['mcp-method']),
    mcpNameHeader: headerValue(headers['mcp-name']),
    body: message,
  });
  return route.kind === 'legacy' && route.reason === 'no-claim';
}

/** As web-standard Headers read it: repeated values joined. */
function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
