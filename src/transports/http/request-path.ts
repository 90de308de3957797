import type { IncomingMessage } from 'node:http';

/** The path of the request target (origin form `/mcp?x` or absolute form `http://host/mcp`), without the query. */
export function pathOf(request: IncomingMessage): string | undefined {
  const target = request.url ?? '';
  const absolute = target.startsWith('/') ? `http://placeholder${target}` : target;
  return URL.canParse(absolute) ? new URL(absolute).pathname : undefined;
}
