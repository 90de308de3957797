import type { LogFields, Logger } from '../../logging/logger.js';
import type { Authenticate } from './authentication.js';
import type { HealthCheck } from './health-endpoint.js';
import { type Listening, listen } from './http-listener.js';
import type { McpServerFor } from './mcp-endpoint.js';
import { createMcpPost, MCP_PATH } from './mcp-post.js';
import { publicDocuments } from './public-documents.js';
import { refusalsLoggedTo } from './refusals.js';
import { hostNameOf } from './request-guards.js';
import { createRouter } from './router.js';

/** Tool arguments are a few kilobytes at most; 1 MiB leaves room and bounds what one request can make us hold. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpServerOptions {
  /** Address to bind; 127.0.0.1 unless the server is meant to be reachable from other machines. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger: Logger;
  /** An MCP server for one protocol era and principal, depending on nothing else (see McpServerFor). */
  createMcpServer: McpServerFor;
  authenticate: Authenticate;
  /** Host names (no port, lower case) a request's Host header may name. */
  allowedHosts: readonly string[];
  /** Origins a browser request may come from; `scheme://host:*` allows any port. */
  allowedOrigins: readonly string[];
  maxBodyBytes?: number;
  /** Body of `GET /healthz`: 200 when its `status` is `ok`, 503 otherwise or when it rejects. */
  health: HealthCheck;
  /** Static JSON documents served on GET without authentication, by path (e.g. OAuth protected-resource metadata). */
  jsonDocuments?: Readonly<Record<string, unknown>>;
  /** More for the start line (`http_listening`), e.g. whether a spend policy is loaded. */
  listeningFields?: LogFields;
}

export interface RunningHttpServer extends Listening {
  /** The MCP endpoint, `http://host:port/mcp`. */
  url: string;
}

/** The `node:http` front door: the pieces put together, listening, and the start line logged. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  const refuse = refusalsLoggedTo(logger);
  const mcpPost = createMcpPost({
    logger,
    authenticate: options.authenticate,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    createMcpServer: options.createMcpServer,
    refuse,
  });
  const route = createRouter({
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
    documents: publicDocuments(options.jsonDocuments),
    health: options.health,
    mcpPost,
    refuse,
  });
  const listening = await listen(options, route);
  const url = `http://${hostNameOf(options.host)}:${listening.port}${MCP_PATH}`;
  logger.info('http_listening', { url, ...options.listeningFields });
  return { url, ...listening };
}
