import type { Principal } from '../../auth/access.js';
import { PROTECTED_RESOURCE_METADATA_PATHS, protectedResourceMetadata } from '../../auth/oauth-documents.js';
import { createOAuthVerifier } from '../../auth/oauth-verifier.js';
import type { Config } from '../../config/config.js';
import { ConfigError } from '../../config/config-values.js';
import type { Fetch } from '../../dodo/node-http-fetch.js';
import { createServer } from '../../server/create-server.js';
import { hostedLogger, hostedSharedState } from '../../server/hosted-state.js';
import type { SharedState, SharedStateOverrides } from '../../server/shared-state.js';
import { logIdempotencyStore, logStartupNotices } from '../../server/startup-notices.js';
import { youngGenerationCap } from '../../young-generation.js';
import { stopGracefully } from '../graceful-stop.js';
import { type Authenticate, allowEveryone, oauthAuthentication, staticTokenAuthentication } from './authentication.js';
import { type HttpServerOptions, type RunningHttpServer, startHttpServer } from './http-server.js';
import { type HttpSettings, readHostedSettings } from './http-settings.js';
import { hostNameOf } from './request-guards.js';

export interface HostedOverrides extends SharedStateOverrides {
  /** How the OAuth verifier reaches the authorization server (tests: the local issuer). */
  oauthFetch?: Fetch;
  /** Called with the shared state before the server listens (the process's signal handlers, ready before anyone can call). */
  beforeListening?: (shared: SharedState) => void;
}

/**
 * Hosted mode: Streamable HTTP on /mcp, stateless (an MCP server per request, or per caller for plain 2025-era requests, over the one shared state),
 * authenticated. Loaded only when DODO_PAYMENTS_MCP_TRANSPORT=http; the bundle keeps it in dist/hosted.js.
 */
export async function serveHttp(config: Config, overrides: HostedOverrides = {}): Promise<RunningHostedServer> {
  const settings = readHostedSettings(config);
  const logger = overrides.logger ?? hostedLogger(config);
  const shared = hostedSharedState(config, { ...overrides, logger });
  logStartupNotices(config, logger);

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

  overrides.beforeListening?.(shared);
  // Many callers at once, where the CPU per call is the limit: V8's own maximum before Node 24, on every Node.
  const youngGeneration = youngGenerationCap(32 * 2 ** 20);
  const running = await listening(settings.http, {
    logger,
    allowedHosts: settings.http.allowedHosts,
    allowedOrigins: settings.http.allowedOrigins,
    authenticate,
    // Everything createServer is given comes from the principal's fields, the era and the shared state (McpServerFor).
    createMcpServer: (principal, era) =>
      createServer(shared, {
        era,
        transport: 'http',
        trackCall: youngGeneration,
        credential: credentialOf(principal),
        ...(principal && { access: principal.access, caller: callerFields(principal) }),
      }),
    listeningFields: { spend_policy: shared.spend.state },
    health: () => health(shared),
    ...(metadata && { jsonDocuments: Object.fromEntries(PROTECTED_RESOURCE_METADATA_PATHS.map((path) => [path, metadata])) }),
  });
  // Once listening (a port in use stays a one-line refusal), and not awaited: /healthz tells a load balancer the same.
  void logIdempotencyStore(shared.idempotencyStatus, logger);
  return { ...running, shared };
}

/**
 * Binds, turning what an operator can fix (a port in use, an address not on this machine) into a ConfigError:
 * one line naming the variable, exit status 2, rather than a stack trace.
 */
async function listening(
  { host, port }: Pick<HttpSettings, 'host' | 'port'>,
  options: Omit<HttpServerOptions, 'host' | 'port'>,
): Promise<RunningHttpServer> {
  try {
    return await startHttpServer({ host, port, ...options });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${hostNameOf(host)}:${port}`;
    if (code === 'EADDRINUSE') {
      throw new ConfigError(`DODO_PAYMENTS_MCP_PORT: ${where} is already in use; stop what listens there or choose another port`);
    }
    if (code === 'EADDRNOTAVAIL') {
      throw new ConfigError(
        `DODO_PAYMENTS_MCP_HOST: ${host} is not an address of this machine (use 127.0.0.1, or 0.0.0.0 with DODO_PAYMENTS_MCP_ALLOWED_HOSTS)`,
      );
    }
    if (code === 'EACCES') {
      throw new ConfigError(`DODO_PAYMENTS_MCP_PORT: not permitted to listen on ${where} (ports below 1024 need privileges)`);
    }
    throw error;
  }
}

export interface RunningHostedServer extends RunningHttpServer {
  shared: SharedState;
}

/** `GET /healthz`: unavailable while a configured Redis does not answer, since every payment call then fails closed. */
async function health(shared: SharedState): Promise<Record<string, unknown>> {
  const { store, reachable, durability } = await shared.idempotencyStatus();
  return {
    status: reachable ? 'ok' : 'unavailable',
    transport: 'http',
    environment: shared.config.environment,
    idempotency_store: store === 'memory' ? 'memory' : reachable ? 'ok' : 'unreachable',
    idempotency_durability: durability,
    spend_policy: shared.spend.state,
  };
}

/**
 * Serves until SIGTERM or SIGINT, then stops listening, lets calls in flight finish for DODO_PAYMENTS_SHUTDOWN_GRACE_MS
 * (payments that are still running are then aborted, each logging its outcome), closes the store and exits 0.
 * stdin is not read.
 */
export async function runHostedUntilSignalled(config: Config): Promise<void> {
  // Before listening: a SIGTERM right after the `http_listening` line is a graceful stop, not Node's default exit.
  const running: Promise<RunningHostedServer> = serveHttp(config, {
    beforeListening: (shared) => stopGracefully({ shared, whileDraining: async (graceMs) => (await running).stop({ graceMs }) }),
  });
  await running;
}

/** Whose spend limits apply: a static token's label, `oauth:<client_id>` (the subject when the token names no client), or `anonymous` without authentication. */
function credentialOf(principal: Principal | undefined): string {
  if (!principal) return 'anonymous';
  return principal.kind === 'token' ? principal.subject : `oauth:${principal.clientId ?? principal.subject}`;
}

function callerFields(principal: Principal): Record<string, string> {
  return { caller: principal.subject, ...(principal.clientId !== undefined && { client_id: principal.clientId }) };
}
