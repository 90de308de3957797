import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, type Refuse, sendRaw } from './refusals.js';

const CORS = { 'Access-Control-Allow-Origin': '*' };

/** Public JSON documents by path, each serialised once. */
export function publicDocuments(documents: Readonly<Record<string, unknown>> = {}): ReadonlyMap<string, string> {
  return new Map(Object.entries(documents).map(([path, document]) => [path, JSON.stringify(document)]));
}

/**
 * A public document (RFC 9728 metadata), readable without authentication by browser-based clients of any origin:
 * GET with CORS, and its preflight.
 */
export function serveDocument(request: IncomingMessage, response: ServerResponse, document: string, refuse: Refuse): void {
  if (request.method === 'OPTIONS') {
    response
      .writeHead(204, {
        ...CORS,
        'Access-Control-Allow-Methods': 'GET, OPTIONS',
        'Access-Control-Allow-Headers': '*',
        'Access-Control-Max-Age': '86400',
      })
      .end();
    return;
  }
  if (request.method === 'GET') sendRaw(response, 200, document, CORS);
  else refuse(request, response, methodNotAllowed(request, 'GET, OPTIONS', CORS));
}
