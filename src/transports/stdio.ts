import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type JSONRPCMessage, ProtocolErrorCode, serializeMessage } from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio as serveStdioEras } from '@modelcontextprotocol/server/stdio';
import type { Logger } from '../logging/logger.js';
import { createServer } from '../server/create-server.js';
import type { SharedState } from '../server/shared-state.js';
import { youngGenerationCap } from '../young-generation.js';
import { stopGracefully } from './graceful-stop.js';
import { LineLimiter, leadingRequestId } from './line-limiter.js';

/** The largest JSON-RPC line read from stdin: the size clients themselves accept. Longer lines are refused, not fatal. */
const MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * The SDK's stdio transport, writing with one shared wait for stdout to drain: the SDK's own `send` adds a
 * 'drain' listener per message while the client is not reading, which passes Node's limit of 10 listeners
 * (MaxListenersExceededWarning) and grows with every queued message. The end of stdin does not close it: shutdown
 * (below) decides when, after payments in flight had their grace period and their answers were written.
 */
class SharedDrainStdioTransport extends StdioServerTransport {
  private drained: Promise<unknown> | undefined;
  override _onstdinclose = () => undefined;

  constructor(
    stdin: LineLimiter,
    private readonly stdout: Writable,
  ) {
    // Lines reach the SDK one by one and never over MAX_LINE_BYTES, so its buffer never overflows.
    super(stdin, stdout, { maxBufferSize: MAX_LINE_BYTES + 1 });
  }

  override send(message: JSONRPCMessage): Promise<void> {
    if (this.stdout.write(serializeMessage(message))) return Promise.resolve();
    this.drained ??= once(this.stdout, 'drain').finally(() => {
      this.drained = undefined;
    });
    return this.drained.then(() => undefined);
  }
}

/**
 * One MCP server on stdin/stdout. Closing stdin, SIGTERM or SIGINT stops it without losing a payment: new calls
 * are refused, payments in flight get DODO_PAYMENTS_SHUTDOWN_GRACE_MS to finish, the rest are aborted, and each
 * one's outcome is logged (`created`, or `unknown_outcome` with its reference) before the process ends.
 */
export async function serveStdio(shared: SharedState): Promise<void> {
  const { logger } = shared;
  routeProcessWarnings(logger);
  const inFlight = new Set<Promise<unknown>>();
  // One client, rarely more than a few calls out, next to the user's other programs: memory first.
  const youngGeneration = youngGenerationCap(16 * 2 ** 20);
  const trackCall = (call: Promise<unknown>) => {
    youngGeneration();
    inFlight.add(call);
    const settled = () => inFlight.delete(call);
    call.then(settled, settled);
  };

  const stop = stopGracefully({
    shared,
    // Closing the connection aborts what is left (read-only calls); each logs its outcome before the process ends.
    afterStopped: () => connection.close().then(() => Promise.allSettled(inFlight)),
  });
  process.stdin.on('end', () => void stop('stdin closed'));

  const lines = new LineLimiter(MAX_LINE_BYTES, (head, bytes) => {
    const id = leadingRequestId(head);
    logger.warn('protocol_error', {
      error: `line of ${bytes} bytes over the ${MAX_LINE_BYTES}-byte limit skipped`,
      answered: id !== undefined,
    });
    if (id === undefined) return;
    void transport.send({
      jsonrpc: '2.0',
      id,
      error: {
        code: ProtocolErrorCode.InvalidRequest,
        message: `Request too large: ${bytes} bytes; this server reads messages of at most ${MAX_LINE_BYTES} bytes (10 MiB). Nothing was done.`,
      },
    });
  });
  const transport = new SharedDrainStdioTransport(process.stdin.pipe(lines), process.stdout);
  // One server for the connection, of the era its first message opens: initialize (2025) or a 2026-07-28 request.
  const connection = serveStdioEras(({ era }) => createServer(shared, { era, transport: 'stdio', trackCall }), {
    transport,
    // A malformed stdin line is skipped by the transport; log that it happened, not what it said (may hold PII).
    onerror: (error) =>
      logger.warn('protocol_error', { error: error instanceof SyntaxError ? 'malformed JSON line ignored' : error.message }),
  });
  logger.info('started', { environment: shared.config.environment, spend_policy: shared.spend.state });
}

/** Node prints its warnings to stderr as plain text; stderr is the JSON log stream, so they go through the logger. */
function routeProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => logger.warn('node_warning', { name: warning.name, message: warning.message }));
}
