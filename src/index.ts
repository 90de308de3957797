import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { createServer } from './server.js';

// The stdio entry: configuration from the environment only, never argv (secrets on a command line leak).
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`dodo-payments-mcp: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ secrets: [config.apiKey] });
  if (config.apiKey === undefined) {
    logger.warn('api_key_missing', {
      message: 'DODO_PAYMENTS_API_KEY is not set; the tool is listed but every call will return an error',
    });
  }
  const server = createServer(config, { logger });
  // A malformed stdin line is skipped by the transport; log that it happened, not what it said (may hold PII).
  server.onerror = (error) =>
    logger.warn('protocol_error', { error: error instanceof SyntaxError ? 'malformed JSON line ignored' : error.message });
  await server.connect(new StdioServerTransport());
  logger.info('started', { environment: config.environment });
}

void main();
