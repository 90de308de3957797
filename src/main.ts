import { parseCliArguments } from './cli/arguments.js';
import { usage } from './cli/usage.js';
import { type Config, loadConfig } from './config/config.js';
import { isConfigError } from './config/config-values.js';
import { createLogger } from './logging/logger.js';
import { secretForms } from './logging/redact.js';
import { createSharedState } from './server/shared-state.js';
import { logIdempotencyStore, logStartupNotices } from './server/startup-notices.js';
import { serveStdio } from './transports/stdio.js';
import { SERVER_VERSION } from './version.js';

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

  try {
    await serve(loadConfig(process.env));
  } catch (error) {
    if (!isConfigError(error)) throw error;
    process.stderr.write(`dodo-payments-mcp: ${error.message}\n`);
    process.exit(2);
  }
}

async function serve(config: Config): Promise<void> {
  if (config.transport === 'http' || config.redisUrl !== undefined) {
    // Hosted mode and the Redis store load only here; the bundle keeps their code in dist/hosted.js.
    const { serveWithHostedCode } = await import('./hosted.js');
    return serveWithHostedCode(config);
  }
  const logger = createLogger({ level: config.logLevel, secrets: secretForms(config) });
  // The state first: a bad spend policy file stops the server before any other line is logged.
  const shared = createSharedState(config, { logger });
  logStartupNotices(config, logger);
  await logIdempotencyStore(shared.idempotencyStatus, logger);
  await serveStdio(shared);
}

void main();
