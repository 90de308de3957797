import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerHealth, type HealthCheck } from './health-endpoint.js';
import { MCP_PATH } from './mcp-post.js';
import { serveDocument } from './public-documents.js';
import { jsonRpcError, METHOD_NOT_ALLOWED, type Refuse } from './refusals.js';
import { isHostAllowed, isOriginAllowed } from './request-guards.js';
import { pathOf } from './request-path.js';

const HEALTH_PATH = '/healthz';

export interface RouterOptions {
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  /** Public documents by path, serialised. */
  documents: ReadonlyMap<string, string>;
  health: HealthCheck;
  mcpPost(request: IncomingMessage, response: ServerResponse): Promise<void>;
  refuse: Refuse;
}

/**
 * Which answer a request gets: the Origin check, then /healthz (no Host check), then the Host check, then /mcp
 * (POST only), the public documents, or 404.
 */
export function createRouter({ allowedHosts, allowedOrigins, documents, health, mcpPost, refuse }: RouterOptions) {
  // Without OAuth documents there is no sign-in; clients that look for one (mcp-remote tries dynamic client
  // registration, the SDK shows the error_description) learn from the 404 what to do instead.
  const notFound =
    documents.size === 0
      ? `Nothing here; the MCP endpoint is ${MCP_PATH}. This server offers no OAuth sign-in: it takes a bearer token (--header "Authorization: Bearer <token>")`
      : `Nothing here; the MCP endpoint is ${MCP_PATH}`;

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = pathOf(request);
    const document = path === undefined ? undefined : documents.get(path);
    const origin = request.headers.origin;
    // The Origin check guards /mcp (and /healthz); the public documents are for any origin, browsers included.
    if (document === undefined && origin !== undefined && !isOriginAllowed(origin, allowedOrigins)) {
      return refuse(request, response, forbidden('origin not allowed', 'Forbidden: Origin not allowed'));
    }
    // Probes (load balancers, Kubernetes) address the server by its IP, so /healthz skips the Host check;
    // it reveals nothing a rebinding page could misuse.
    if (path === HEALTH_PATH) return answerHealth(request, response, health, refuse);
    if (!isHostAllowed(request.headers.host, allowedHosts)) {
      return refuse(request, response, forbidden('host not allowed', 'Forbidden: Host not allowed'));
    }
    if (path === MCP_PATH) {
      // Stateless JSON mode: no server-initiated stream to GET, no session to DELETE.
      if (request.method !== 'POST') {
        return refuse(request, response, {
          refusal: METHOD_NOT_ALLOWED,
          body: jsonRpcError(-32000, 'Method not allowed: this server accepts POST only'),
          headers: { Allow: 'POST' },
        });
      }
      return mcpPost(request, response);
    }
    if (document !== undefined) return serveDocument(request, response, document, refuse);
    return refuse(request, response, {
      refusal: { status: 404, reason: 'no such path' },
      body: { error: 'not_found', error_description: notFound },
    });
  };
}

/** A request a DNS-rebinding page could make: worth a look. */
function forbidden(reason: string, message: string) {
  return { refusal: { status: 403, reason, level: 'warn' as const }, body: jsonRpcError(-32000, message) };
}
