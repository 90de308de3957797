import { z } from 'zod';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolRequest,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Config } from './config.js';
import { CREATE_PAYMENT_TOOL_NAME, createPaymentToolDefinition, handleCreatePayment } from './create-payment-tool.js';
import { LIST_PRODUCTS_TOOL_NAME, handleListProducts, listProductsToolDefinition } from './list-products-tool.js';
import { GET_PAYMENT_TOOL_NAME, getPaymentToolDefinition, handleGetPayment } from './get-payment-tool.js';
import { createDodoApi, type DodoApi } from './dodo-api.js';
import { IdempotencyStore, type IdempotencyStoreOptions } from './idempotency-store.js';
import type { PaymentOutcome } from './payment-sender.js';
import { abortableSleep, type Sleep } from './retry-policy.js';
import { createElicitationConfirmer } from './live-confirmation.js';
import { redactSecrets } from './redact.js';
import { zodJsonSchemaValidator } from './json-schema-validator.js';
import { silentLogger, type Logger } from './log.js';
import type { ToolDependencies } from './tool-runtime.js';

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
  api?: DodoApi;
  now?: () => number;
  /** Waits between retries; tests pass one that does not wait. */
  sleep?: Sleep;
  idempotency?: IdempotencyStoreOptions;
  /** How long to wait for the user to confirm a live payment. */
  confirmationTimeoutMs?: number;
}

type ToolHandler = (args: unknown, signal: AbortSignal) => Promise<CallToolResult>;

export function createServer(config: Config, dependencies: ServerDependencies = {}): Server {
  let api = dependencies.api;
  const server = new Server(
    { name: SERVER_NAME, title: 'Dodo Payments', version: SERVER_VERSION },
    { capabilities: { tools: {} }, jsonSchemaValidator: zodJsonSchemaValidator },
  );
  const toolDependencies: ToolDependencies = {
    config,
    api: () => (api ??= createDodoApi({ ...config, apiKey: config.apiKey ?? '' })),
    logger: dependencies.logger ?? silentLogger,
    sleep: dependencies.sleep ?? abortableSleep,
    now: dependencies.now ?? Date.now,
  };
  const createDependencies = {
    ...toolDependencies,
    idempotency: new IdempotencyStore<PaymentOutcome>(dependencies.idempotency),
    confirmer: createElicitationConfirmer(server, dependencies.confirmationTimeoutMs),
  };

  const tools: Tool[] = [createPaymentToolDefinition(config), listProductsToolDefinition, getPaymentToolDefinition];
  const handlers: Record<string, ToolHandler> = {
    [CREATE_PAYMENT_TOOL_NAME]: (args, signal) => handleCreatePayment(args, signal, createDependencies),
    [LIST_PRODUCTS_TOOL_NAME]: (args, signal) => handleListProducts(args, signal, toolDependencies),
    [GET_PAYMENT_TOOL_NAME]: (args, signal) => handleGetPayment(args, signal, toolDependencies),
  };

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(LooseCallToolRequestSchema, async (request, extra) => {
    // The SDK has validated params against CallToolRequestSchema before calling this handler.
    const { name, arguments: args } = request.params as CallToolRequest['params'];
    const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (!handler) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}. Available: ${Object.keys(handlers).join(', ')}`);
    }
    return redactResult(await handler(args, extra.signal), [config.apiKey]);
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
