import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '../../logging/logger.js';
import { pathOf } from './request-path.js';

/**
 * Why a request is refused, for the log. Expected refusals (a GET probing for a stream, a newer protocol version, a
 * client looking for OAuth documents, a first request without a token) are ordinary traffic: `info`, the default.
 * `warn` is for what an operator should look at.
 */
export interface Refusal {
  status: number;
  reason: string;
  level?: 'info' | 'warn';
}

/** A refusal with the answer the client gets: a JSON body and any headers it needs (`WWW-Authenticate`, `Allow`). */
export interface RefusalAnswer {
  refusal: Refusal;
  body: unknown;
  headers?: OutgoingHttpHeaders;
}

/** Logs `http_request_rejected` at the refusal's level, then answers with its status and JSON body. */
export type Refuse = (request: IncomingMessage, response: ServerResponse, answer: RefusalAnswer) => void;

export function refusalsLoggedTo(logger: Logger): Refuse {
  return (request, response, { refusal, body, headers = {} }) => {
    const { status, reason, level = 'info' } = refusal;
    logger[level]('http_request_rejected', { status, reason, method: request.method, path: pathOf(request) });
    sendJson(response, status, body, headers);
  };
}

export const METHOD_NOT_ALLOWED: Refusal = { status: 405, reason: 'method not allowed' };

/** 405 with a plain JSON body and the methods the path takes in `Allow` (after any other headers, e.g. CORS). */
export function methodNotAllowed(request: IncomingMessage, allow: string, headers: OutgoingHttpHeaders = {}): RefusalAnswer {
  return {
    refusal: METHOD_NOT_ALLOWED,
    body: { error: 'method_not_allowed', error_description: `${request.method ?? 'This method'} is not allowed here` },
    headers: { ...headers, Allow: allow },
  };
}

export function jsonRpcError(code: number, message: string): object {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  sendRaw(response, status, JSON.stringify(body), headers);
}

/** Answers with JSON already serialised (a public document, serialised once at start). */
export function sendRaw(response: ServerResponse, status: number, json: string, headers: OutgoingHttpHeaders): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) }).end(json);
}
