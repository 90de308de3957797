import { parseCliArguments } from './cli/arguments.js';
import { usage } from './cli/usage.js';
import { type Config, loadConfig } from './config/config.js';
import { ConfigError } from './config/config-values.js';
import { createLogger } from './logging/logger.js';
import { secretForms } from './logging/redact.js';
import { SERVER_VERSION } from './server/create-server.js';
import { createSharedState } from './server/shared-state.js';
import { serveStdio } from './transports/stdio.js';

// The entry: configuration from the environment only, never argv (secrets on a command line leak).
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
  const logger = createLogger({ level: config.logLevel, secrets: secretForms(config) });
  if (config.apiKey === undefined) {
    logger.warn('api_key_missing', {
      message: 'DODO_PAYMENTS_API_KEY is not set; the tools are listed but every call will return an error',
    });
  }
  if (config.environment === 'live_mode') {
    logger.warn('live_mode', { message: 'LIVE MODE: payments created by this server charge real customers real money' });
  }
  await serveStdio(createSharedState(config, { logger }));
}

void main();
