import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { z } from 'zod';
import {
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolRequest,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Config } from './config.js';
import { CREATE_PAYMENT_TOOL_NAME, createPaymentToolDefinition, handleCreatePayment } from './create-payment-tool.js';
import { createPaymentsApi, type PaymentsApi } from './payments-api.js';
import { IdempotencyStore, type IdempotencyStoreOptions } from './idempotency-store.js';
import { abortableSleep, type PaymentOutcome, type Sleep } from './payment-sender.js';
import { redactSecrets } from './redact.js';
import { zodJsonSchemaValidator } from './json-schema-validator.js';
import { silentLogger, type Logger } from './log.js';

export const SERVER_NAME = 'dodo-payments-mcp';
// Replaced with package.json's version when bundled; the fallback serves in-process tests.
declare const __PACKAGE_VERSION__: string | undefined;
export const SERVER_VERSION = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-dev';

// The SDK parses a request with the schema given here before its own tools/call check, and a failure
// there becomes -32603 (internal error). A loose schema lets the SDK's check answer a malformed
// tools/call (e.g. non-object arguments) with -32602 (invalid params), as the spec asks.
const LooseCallToolRequestSchema = z.object({ method: z.literal('tools/call'), params: z.unknown() });

export interface ServerDependencies {
  logger?: Logger;
  /** Defaults to the official client built from config on first call. */
  paymentsApi?: PaymentsApi;
  now?: () => number;
  /** Waits between retries of a 429 or a refused connection; tests pass one that does not wait. */
  sleep?: Sleep;
  idempotency?: IdempotencyStoreOptions;
}

export function createServer(config: Config, dependencies: ServerDependencies = {}): Server {
  const logger = dependencies.logger ?? silentLogger;
  let paymentsApi = dependencies.paymentsApi;
  const getPaymentsApi = () =>
    (paymentsApi ??= createPaymentsApi({ ...config, apiKey: config.apiKey ?? '' }));

  const server = new Server(
    { name: SERVER_NAME, title: 'Dodo Payments', version: SERVER_VERSION },
    { capabilities: { tools: {} }, jsonSchemaValidator: zodJsonSchemaValidator },
  );
  const tools = [createPaymentToolDefinition(config)];
  const idempotency = new IdempotencyStore<PaymentOutcome>(dependencies.idempotency);

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(LooseCallToolRequestSchema, async (request, extra) => {
    // The SDK has validated params against CallToolRequestSchema before calling this handler.
    const { name, arguments: args } = request.params as CallToolRequest['params'];
    if (name !== CREATE_PAYMENT_TOOL_NAME) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}. Available: ${CREATE_PAYMENT_TOOL_NAME}`);
    }
    const result = await handleCreatePayment(args, extra.signal, {
      config,
      paymentsApi: getPaymentsApi,
      logger,
      idempotency,
      sleep: dependencies.sleep ?? abortableSleep,
      now: dependencies.now ?? Date.now,
    });
    return redactResult(result, [config.apiKey]);
  });
  return server;
}

/** The last gate before a result leaves the process: the API key is removed even if the API echoed it. */
function redactResult(result: CallToolResult, secrets: readonly (string | undefined)[]): CallToolResult {
  const serialized = JSON.stringify(result);
  const present = secrets.flatMap((secret) => (secret ? [secret, JSON.stringify(secret).slice(1, -1)] : []));
  if (!present.some((secret) => serialized.includes(secret))) return result;
  return JSON.parse(redactSecrets(serialized, present)) as CallToolResult;
}
