import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createServer } from '../server/create-server.js';
import type { SharedState } from '../server/shared-state.js';

/** One MCP server on stdin/stdout; closing stdin, SIGTERM or SIGINT stops it and ends the process. */
export async function serveStdio(shared: SharedState): Promise<void> {
  const { logger } = shared;
  const inFlight = new Set<Promise<unknown>>();
  const server = createServer(shared, {
    trackCall: (call) => {
      inFlight.add(call);
      const settled = () => inFlight.delete(call);
      call.then(settled, settled);
    },
  });
  // A malformed stdin line is skipped by the transport; log that it happened, not what it said (may hold PII).
  server.onerror = (error) =>
    logger.warn('protocol_error', { error: error instanceof SyntaxError ? 'malformed JSON line ignored' : error.message });

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopped', { reason });
    // Closing the server aborts in-flight calls; each then ends and logs its outcome before the process exits.
    void server
      .close()
      .then(() => Promise.allSettled(inFlight))
      .finally(() => process.exit(0));
  };
  process.stdin.on('end', () => stop('stdin closed'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await server.connect(new StdioServerTransport());
  logger.info('started', { environment: shared.config.environment });
}
