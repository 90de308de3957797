import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler, type Server as McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { Principal } from '../../auth/access.js';
import { createLegacyJsonPost, routeOf } from './legacy-json-post.js';

type ProtocolEra = 'legacy' | 'modern';

/**
 * An MCP server for one era and principal (undefined when authentication is off), depending on nothing else: one
 * answers all of a principal's plain 2025-era requests (legacy-json-post.ts), a fresh one any other request.
 */
export type McpServerFor = (principal: Principal | undefined, era: ProtocolEra) => McpServer;

/** Why the SDK refused a request it answered itself (406, 415, 400 on a bad version, …), or an error it met, for the log. */
export type RefusalReporter = (reason: string) => void;

/**
 * Answers an authenticated, parsed POST /mcp with the SDK, in the era the message claims: a 2025-era message (no
 * per-request `_meta` envelope) stateless with a JSON answer, a plain request on node:http directly
 * (legacy-json-post.ts) and anything else (initialize, notifications, batches, refusals) by the SDK transport; a
 * 2026-07-28 message (`server/discover`, or any request with the envelope) through the SDK's per-request handler,
 * whose 2025 fallback is off since 2025 is served here.
 */
export function createMcpEndpoint(serverFor: McpServerFor, reportModernRefusal: RefusalReporter) {
  const modern = createMcpHandler(({ authInfo }) => serverFor(authInfo?.extra?.principal as Principal | undefined, 'modern'), {
    legacy: 'reject',
    // 'auto' answers in JSON since the tools send nothing before their result ('json' says so on stderr at start).
    responseMode: 'auto',
    onerror: (error) => reportModernRefusal(error.message),
  });
  const legacyJsonPost = createLegacyJsonPost((principal) => serverFor(principal, 'legacy'));

  return async (
    request: IncomingMessage,
    response: ServerResponse,
    message: unknown,
    principal: Principal | undefined,
    report: RefusalReporter,
  ): Promise<void> => {
    const route = routeOf(request.headers, message);
    if (route === 'plain-legacy' && (await legacyJsonPost(request, response, message, principal))) return;
    const aborted = new AbortController();
    response.on('close', () => aborted.abort());
    const webRequest = toWebRequest(request, aborted.signal);
    let answer: Response;
    if (route !== 'modern') {
      const server = serverFor(principal, 'legacy');
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      transport.onerror = (error) => report(error.message);
      response.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      answer = await transport.handleRequest(webRequest, { parsedBody: message });
    } else {
      // The principal rides in AuthInfo's free-form `extra`: the factory sees nothing else of the request.
      answer = await modern.fetch(webRequest, {
        parsedBody: message,
        authInfo: { token: '', clientId: '', scopes: [], extra: { principal } },
      });
    }
    await writeWebResponse(answer, response);
  };
}

/** The request line and headers as a web-standard Request; the body was already read (and parsed) by the caller. */
function toWebRequest(request: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return new Request(`http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`, {
    method: request.method ?? 'POST',
    headers,
    signal,
  });
}

async function writeWebResponse(answer: Response, response: ServerResponse): Promise<void> {
  const body = Buffer.from(await answer.arrayBuffer());
  if (response.destroyed) return;
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    headers[name] = value;
  });
  response.writeHead(answer.status, { ...headers, 'content-length': body.length }).end(body);
}
