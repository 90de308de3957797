import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logging/logger.js';
import { jsonRpcError, sendJson } from './refusals.js';
import { pathOf } from './request-path.js';

export interface Listening {
  port: number;
  /** Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  stop(options: { graceMs: number }): Promise<void>;
}

/**
 * Listens on `host:port` (0 picks a free port), handing each request to `handle`. A request `handle` fails is
 * logged (`http_request_failed`, warn) and answered 500, or cut if its answer had begun. Resolves once listening;
 * rejects with the listen error (EADDRINUSE, …).
 */
export async function listen(
  { host, port, logger }: { host: string; port: number; logger: Logger },
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<Listening> {
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  const server = createServer((request, response) => {
    inFlight.add(response);
    response.on('close', () => inFlight.delete(response));
    if (stopping) response.setHeader('Connection', 'close');
    handle(request, response).catch((error: unknown) => {
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
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
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
