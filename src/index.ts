import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { createServer, SERVER_VERSION } from './server.js';
import { parseCliArguments, usage } from './cli-arguments.js';

// The stdio entry: configuration from the environment only, never argv (secrets on a command line leak).
async function main(): Promise<void> {
  const action = parseCliArguments(process.argv.slice(2));
  switch (action.kind) {
    case 'help':
      process.stdout.write(usage(SERVER_VERSION));
      return;
    case 'version':
      process.stdout.write(`${SERVER_VERSION}\n`);
      return;
    case 'refuse':
      process.stderr.write(`dodo-payments-mcp: ${action.message}\n\n${usage(SERVER_VERSION)}`);
      process.exit(2);
  }

  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`dodo-payments-mcp: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel, secrets: [config.apiKey] });
  if (config.apiKey === undefined) {
    logger.warn('api_key_missing', {
      message: 'DODO_PAYMENTS_API_KEY is not set; the tools are listed but every call will return an error',
    });
  }
  if (config.environment === 'live_mode') {
    logger.warn('live_mode', { message: 'LIVE MODE: payments created by this server charge real customers real money' });
  }

  const server = createServer(config, { logger });
  // A malformed stdin line is skipped by the transport; log that it happened, not what it said (may hold PII).
  server.onerror = (error) =>
    logger.warn('protocol_error', { error: error instanceof SyntaxError ? 'malformed JSON line ignored' : error.message });

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopped', { reason });
    // Closing the server aborts in-flight calls; nothing else may keep the process alive.
    void server.close().finally(() => process.exit(0));
  };
  process.stdin.on('end', () => stop('stdin closed'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await server.connect(new StdioServerTransport());
  logger.info('started', { environment: config.environment });
}

void main();
