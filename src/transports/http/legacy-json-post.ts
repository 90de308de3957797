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

/** Servers kept, one per principal: OAuth brings one principal per subject and client, so the oldest goes. */
const MAX_SHARED_SERVERS = 256;

/** Where a parsed POST /mcp goes, by the SDK's era classification, made once per request. */
export type PostRoute = 'plain-legacy' | 'legacy' | 'modern';

/**
 * The route of `message`: `modern` for a 2026-07-28 message (the SDK's per-request handler), `legacy` for a 2025-era
 * one, the same call `isLegacyRequest` would make, and `plain-legacy` for the 2025-era request nearly every hosted
 * call is: one request the SDK calls `no-claim` (not `initialize`, which binds a server to its client, nor a
 * notification, batch or response) that would pass the SDK transport's Accept and Content-Type checks.
 */
export function routeOf(headers: IncomingHttpHeaders, message: unknown): PostRoute {
  // No JSON body: the SDK transport answers it (isLegacyRequest's "no-json-body").
  if (message === undefined) return 'legacy';
  const route = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: headerValue(headers['mcp-protocol-version']),
    mcpMethodHeader: headerValue(headers['mcp-method']),
    mcpNameHeader: headerValue(headers['mcp-name']),
    body: message,
  });
  if (route.kind !== 'legacy') return 'modern';
  const accept = headers.accept;
  const plain =
    route.reason === 'no-claim' &&
    accept?.includes('application/json') === true &&
    accept.includes('text/event-stream') &&
    isJsonContentType(headers['content-type']);
  return plain ? 'plain-legacy' : 'legacy';
}

/**
 * Answers a `plain-legacy` POST (see routeOf) on node:http directly: the SDK's web-standard transport would copy the
 * request into a `Request`, and the answer out of a `Response`, and be built anew, for every call (docs/design.md has
 * what that cost). An SDK server answers, one per principal for all of that principal's requests, concurrently:
 * `serverFor` must depend on the principal's fields alone. Resolves to false, having answered nothing, when the
 * server does not support the request's MCP-Protocol-Version: the SDK transport then refuses it, as before.
 */
export function createLegacyJsonPost(serverFor: (principal: Principal | undefined) => McpServer) {
  const shared = new Map<string, Promise<RequestMultiplexer>>();
  const multiplexerFor = (principal: Principal | undefined): Promise<RequestMultiplexer> => {
    const key = principal === undefined ? '' : JSON.stringify([principal.kind, principal.access, principal.subject, principal.clientId]);
    let multiplexer = shared.get(key);
    if (multiplexer === undefined) {
      // A forgotten server is not closed: its requests in flight still finish.
      if (shared.size >= MAX_SHARED_SERVERS) shared.delete(shared.keys().next().value as string);
      multiplexer = (async () => {
        const connected = new RequestMultiplexer();
        await serverFor(principal).connect(connected);
        return connected;
      })();
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

/** As web-standard Headers read it: repeated values joined. */
function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
