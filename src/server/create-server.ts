import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  type CallToolRequest,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { redactSecrets } from '../logging/redact.js';
import { advertisedSchemas } from '../tools/advertised-schemas.js';
import { TOOL_REGISTRY } from '../tools/registry.js';
import type { ToolModule } from '../tools/tool.js';
import { zodJsonSchemaValidator } from './json-schema-validator.js';
import type { SharedState } from './shared-state.js';
import { createElicitationConfirmer } from './user-confirmation.js';

const SERVER_NAME = 'dodo-payments-mcp';
// Replaced with package.json's version when bundled; the fallback serves in-process tests.
declare const __PACKAGE_VERSION__: string | undefined;
export const SERVER_VERSION = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-dev';

// The SDK parses a request with the schema given here before its own tools/call check, and a failure
// there becomes -32603 (internal error). A loose schema lets the SDK's check answer a malformed
// tools/call (e.g. non-object arguments) with -32602 (invalid params), as the spec asks.
const LooseCallToolRequestSchema = z.object({ method: z.literal('tools/call'), params: z.unknown() });

export interface ServerOptions {
  /** How long to wait for the user to confirm a live payment. */
  confirmationTimeoutMs?: number;
  /** Given each tool call while it runs, so a transport can wait at shutdown for every call to log its outcome. */
  trackCall?: (call: Promise<unknown>) => void;
}

/** One MCP server for one connection; everything that must outlive it comes in `shared`. */
export function createServer(shared: SharedState, options: ServerOptions = {}): Server {
  const { config } = shared;
  const server = new Server(
    { name: SERVER_NAME, title: 'Dodo Payments', version: SERVER_VERSION },
    { capabilities: { tools: {} }, jsonSchemaValidator: zodJsonSchemaValidator },
  );
  const confirmer = createElicitationConfirmer(server, options.confirmationTimeoutMs);
  const tools = new Map<string, ToolModule>(TOOL_REGISTRY.map((tool) => [tool.name, tool]));
  const advertised: Tool[] = TOOL_REGISTRY.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.describe(config),
    ...(advertisedSchemas[tool.name] as Pick<Tool, 'inputSchema' | 'outputSchema'>),
    annotations: tool.annotations,
  }));

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: advertised }));
  server.setRequestHandler(LooseCallToolRequestSchema, async (request, extra) => {
    // The SDK has validated params against CallToolRequestSchema before calling this handler.
    const { name, arguments: args } = request.params as CallToolRequest['params'];
    const tool = tools.get(name);
    if (!tool) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}. Available: ${[...tools.keys()].join(', ')}`);
    }
    const call = tool.handle(args, { ...shared, signal: extra.signal, confirmer });
    options.trackCall?.(call);
    return redactResult(await call, [config.apiKey]);
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
