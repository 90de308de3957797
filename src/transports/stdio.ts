import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createServer } from '../server/create-server.js';
import type { SharedState } from '../server/shared-state.js';

/**
 * One MCP server on stdin/stdout. Closing stdin, SIGTERM or SIGINT stops it without losing a payment: new calls
 * are refused, payments in flight get DODO_PAYMENTS_SHUTDOWN_GRACE_MS to finish, the rest are aborted, and each
 * one's outcome is logged (`created`, or `unknown_outcome` with its reference) before the process ends.
 */
export async function serveStdio(shared: SharedState): Promise<void> {
  const { logger, payments, config } = shared;
  const server = createServer(shared);
  // A malformed stdin line is skipped by the transport; log that it happened, not what it said (may hold PII).
  server.onerror = (error) =>
    logger.warn('protocol_error', { error: error instanceof SyntaxError ? 'malformed JSON line ignored' : error.message });

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { reason, grace_ms: config.shutdownGraceMs });
    const { finished, aborted } = await payments.drain(config.shutdownGraceMs);
    // The answers of calls that just ended are written (a few promise turns later) before the transport closes.
    await new Promise((resolve) => setImmediate(resolve));
    logger.info('stopped', { reason, payments_finished: finished, payments_aborted: aborted });
    // Closing the server ends what is left (read-only calls); nothing else may keep the process alive.
    await server.close().finally(() => process.exit(0));
  };
  process.stdin.on('end', () => void stop('stdin closed'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await server.connect(new StdioServerTransport());
  logger.info('started', { environment: config.environment });
}
