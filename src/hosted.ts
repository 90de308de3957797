import type { Config } from './config/config.js';
import { hostedLogger, hostedSharedState } from './server/hosted-state.js';
import { logIdempotencyStore, logStartupNotices } from './server/startup-notices.js';
import { runHostedUntilSignalled } from './transports/http/serve-http.js';
import { serveStdio } from './transports/stdio.js';

/**
 * What the stdio-only server does not load: hosted mode (HTTP, OAuth) and the Redis idempotency store. Bundled
 * apart as dist/hosted.js, which dist/index.js imports only when the configuration asks for one of them; it is
 * handed the configuration alone (plain data), so each process runs one copy of every module.
 */
export async function serveWithHostedCode(config: Config): Promise<void> {
  if (config.transport === 'http') return runHostedUntilSignalled(config);
  const logger = hostedLogger(config);
  const shared = hostedSharedState(config, { logger });
  logStartupNotices(config, logger);
  await logIdempotencyStore(shared.idempotencyStatus, logger);
  await serveStdio(shared);
}
