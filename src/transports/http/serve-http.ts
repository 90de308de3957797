import type { Principal } from '../../auth/access.js';
import { PROTECTED_RESOURCE_METADATA_PATHS, protectedResourceMetadata } from '../../auth/oauth-documents.js';
import { createOAuthVerifier } from '../../auth/oauth-verifier.js';
import type { Config } from '../../config/config.js';
import type { Fetch } from '../../dodo/node-http-fetch.js';
import { createLogger, type Logger } from '../../logging/logger.js';
import { secretForms } from '../../logging/redact.js';
import { createServer } from '../../server/create-server.js';
import { createSharedState, type SharedStateOverrides } from '../../server/shared-state.js';
import { logStartupNotices } from '../../server/startup-notices.js';
import { type Authenticate, allowEveryone, oauthAuthentication, staticTokenAuthentication } from './authentication.js';
import { readHostedSettings } from './hosted-settings.js';
import { type RunningHttpServer, startHttpServer } from './http-server.js';

/** How long in-flight calls may finish after SIGTERM/SIGINT before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface HostedOverrides extends SharedStateOverrides {
  /** How the OAuth verifier reaches the authorization server (tests: the local issuer). */
  oauthFetch?: Fetch;
}

/**
 * Hosted mode: Streamable HTTP on /mcp, stateless (a new MCP server per request over the one shared state),
 * authenticated. Loaded only when DODO_PAYMENTS_MCP_TRANSPORT=http; the bundle keeps it in dist/hosted.js.
 */
export async function serveHttp(config: Config, overrides: HostedOverrides = {}): Promise<RunningHttpServer> {
  const settings = readHostedSettings(config);
  const logger = overrides.logger ?? hostedLogger(config);
  logStartupNotices(config, logger);
  const shared = createSharedState(config, { ...overrides, logger });

  let authenticate: Authenticate = allowEveryone;
  if (settings.oauth) {
    const verifier = createOAuthVerifier({
      issuer: settings.oauth.issuer,
      resource: settings.oauth.resource,
      logger,
      ...(overrides.oauthFetch && { fetch: overrides.oauthFetch }),
    });
    authenticate = oauthAuthentication(settings.oauth, verifier, settings.tokens);
  } else if (settings.http.authRequired && settings.tokens) {
    authenticate = staticTokenAuthentication(settings.tokens);
  }
  const metadata = settings.oauth && protectedResourceMetadata(settings.oauth);

  return startHttpServer({
    host: settings.http.host,
    port: settings.http.port,
    logger,
    allowedHosts: settings.http.allowedHosts,
    allowedOrigins: settings.http.allowedOrigins,
    authenticate,
    createMcpServer: (principal) =>
      createServer(shared, { ...(principal && { access: principal.access, caller: callerFields(principal) }) }),
    health: async () => ({ status: 'ok', transport: 'http', environment: config.environment }),
    ...(metadata && { jsonDocuments: Object.fromEntries(PROTECTED_RESOURCE_METADATA_PATHS.map((path) => [path, metadata])) }),
  });
}

/** Serves until SIGTERM or SIGINT, then lets in-flight calls finish for the grace period and exits 0. stdin is not read. */
export async function runHostedUntilSignalled(config: Config): Promise<void> {
  const logger = hostedLogger(config);
  const running = await serveHttp(config, { logger });
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { reason, grace_ms: SHUTDOWN_GRACE_MS });
    void running.stop({ graceMs: SHUTDOWN_GRACE_MS }).finally(() => {
      logger.info('stopped', { reason });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function callerFields(principal: Principal): Record<string, string> {
  return { caller: principal.subject, ...(principal.clientId !== undefined && { client_id: principal.clientId }) };
}

/** The API key and each configured bearer token are secrets the logger removes, whatever a caller passes it. */
function hostedLogger(config: Config): Logger {
  const tokens = (config.httpTokens ?? '').split(',').flatMap((entry) => entry.split(':').slice(2).join(':') || []);
  return createLogger({ level: config.logLevel, secrets: [...secretForms(config), ...tokens, redisPassword(config.redisUrl)] });
}

function redisPassword(redisUrl: string | undefined): string | undefined {
  return redisUrl === undefined ? undefined : decodeURIComponent(new URL(redisUrl).password) || undefined;
}
