import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  classifyInboundRequest,
  isJsonContentType,
  type JSONRPCRequest,
  type Server as McpServer,
  parseJSONRPCMessage,
} from '@modelcontextprotocol/server';
import type { Principal } from '../../auth/access.js';
import { SingleExchangeTransport } from './single-exchange-transport.js';

/**
 * Answers what nearly every hosted call is, a 2025-era JSON-RPC request (not `initialize`) POSTed stateless for a
 * JSON answer, straight on node:http: the SDK's web-standard transport would copy the request into a `Request`, and
 * the answer out of a `Response`, on every call (see docs/design.md for what that cost). A fresh server from
 * `serverFor` answers, as before; only the wrapping differs. Resolves to false, having answered nothing, for anything
 * else, including whatever the SDK transport would refuse (406, 415, an unsupported MCP-Protocol-Version): the SDK
 * transport then answers it, as before.
 */
export function createLegacyJsonPost(serverFor: (principal: Principal | undefined) => McpServer) {
  return async (
    request: IncomingMessage,
    response: ServerResponse,
    message: unknown,
    principal: Principal | undefined,
  ): Promise<boolean> => {
    if (!isPlainLegacyRequest(request.headers, message)) return false;
    const server = serverFor(principal);
    const transport = new SingleExchangeTransport();
    // Closing the server aborts the handler's signal if the client goes away first, as with the SDK transport.
    const close = () => void server.close();
    response.on('close', close);
    await server.connect(transport);
    const version = headerValue(request.headers['mcp-protocol-version']);
    if (version !== undefined && !transport.supportedProtocolVersions.includes(version)) {
      response.off('close', close);
      close();
      return false;
    }
    // As the SDK transport does, the server gets the message as the JSON-RPC schema parses it.
    const answer = await transport.exchange(parseJSONRPCMessage(message) as JSONRPCRequest);
    if (answer === undefined || response.destroyed) return true;
    // One string, so Node sends the headers and the body in one write; the same bytes the SDK's Response.json gave.
    const json = JSON.stringify(answer);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
    return true;
  };
}

/**
 * Would pass the SDK transport's Accept and Content-Type checks, and is one 2025-era request that the SDK's era
 * classification (the one `isLegacyRequest` makes) calls `no-claim`: neither `initialize`, nor a notification,
 * batch or response.
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
