import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Config } from './config.js';
import { CREATE_PAYMENT_TOOL_NAME, createPaymentToolDefinition, handleCreatePayment } from './create-payment-tool.js';
import { createPaymentsApi, type PaymentsApi } from './payments-api.js';
import { redactSecrets } from './redact.js';
import { silentLogger, type Logger } from './log.js';

export const SERVER_NAME = 'dodo-payments-mcp';
// Replaced with package.json's version when bundled; the fallback serves in-process tests.
declare const __PACKAGE_VERSION__: string | undefined;
export const SERVER_VERSION = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-dev';

export interface ServerDependencies {
  logger?: Logger;
  /** Defaults to the official client built from config on first call. */
  paymentsApi?: PaymentsApi;
  now?: () => number;
}

export function createServer(config: Config, dependencies: ServerDependencies = {}): Server {
  const logger = dependencies.logger ?? silentLogger;
  let paymentsApi = dependencies.paymentsApi;
  const getPaymentsApi = () =>
    (paymentsApi ??= createPaymentsApi({ ...config, apiKey: config.apiKey ?? '' }));

  const server = new Server(
    { name: SERVER_NAME, title: 'Dodo Payments', version: SERVER_VERSION },
    { capabilities: { tools: {} } },
  );
  const tools = [createPaymentToolDefinition(config.environment)];

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    if (request.params.name !== CREATE_PAYMENT_TOOL_NAME) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool: ${request.params.name}. Available: ${CREATE_PAYMENT_TOOL_NAME}`,
      );
    }
    const result = await handleCreatePayment(request.params.arguments, extra.signal, {
      config,
      paymentsApi: getPaymentsApi,
      logger,
      now: dependencies.now,
    });
    return redactResult(result, [config.apiKey]);
  });
  return server;
}

/** The last gate before a result leaves the process: the API key is removed even if the API echoed it. */
function redactResult(result: CallToolResult, secrets: readonly (string | undefined)[]): CallToolResult {
  const jsonEscaped = secrets.map((secret) => (secret ? JSON.stringify(secret).slice(1, -1) : secret));
  return JSON.parse(redactSecrets(JSON.stringify(result), [...secrets, ...jsonEscaped])) as CallToolResult;
}
