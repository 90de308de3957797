import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logging/logger.js';
import { type Authenticate, authenticationRefusal } from './authentication.js';
import { createMcpEndpoint, type McpServerFor } from './mcp-endpoint.js';
import type { Refuse } from './refusals.js';
import { readJsonBody } from './request-body.js';

export const MCP_PATH = '/mcp';

export interface McpPostOptions {
  logger: Logger;
  authenticate: Authenticate;
  maxBodyBytes: number;
  createMcpServer: McpServerFor;
  refuse: Refuse;
}

/** POST /mcp, past the guards: credentials, then the body, then the SDK. */
export function createMcpPost({ logger, authenticate, maxBodyBytes, createMcpServer, refuse }: McpPostOptions) {
  const answerMcp = createMcpEndpoint(createMcpServer, (reason) => logger.debug('mcp_handler_error', { error: reason }));

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Credentials first: an unauthenticated caller gets no body parsing and no MCP server.
    const decision = await authenticate(request.headers.authorization);
    if (!decision.ok) return refuse(request, response, authenticationRefusal(decision));
    const body = await readJsonBody(request, maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'refused') return refuse(request, response, body.answer);

    // The SDK answers protocol-level refusals itself (406, 415, 400 bad version, …) and reports why here.
    let refusal = 'refused by the MCP transport';
    response.on('finish', () => {
      // 406, 415, 400 for an unsupported protocol version: the client's business.
      if (response.statusCode >= 400) {
        logger.info('http_request_rejected', { status: response.statusCode, reason: refusal, method: request.method, path: MCP_PATH });
      }
    });
    await answerMcp(request, response, body.message, decision.principal, (reason) => (refusal = reason));
  };
}
