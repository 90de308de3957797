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
import type { Access } from '../auth/access.js';
import { withFields } from '../logging/logger.js';
import { redactDeep } from '../logging/redact.js';
import { advertisedSchemas } from '../tools/advertised-schemas.js';
import { TOOL_REGISTRY } from '../tools/registry.js';
import { errorResult, type ToolModule } from '../tools/tool.js';
import { SERVER_VERSION } from '../version.js';
import { zodJsonSchemaValidator } from './json-schema-validator.js';
import type { SharedState } from './shared-state.js';
import { createElicitationConfirmer } from './user-confirmation.js';

const SERVER_NAME = 'dodo-payments-mcp';

// The SDK parses a request with the schema given here before its own tools/call check, and a failure
// there becomes -32603 (internal error). A loose schema lets the SDK's check answer a malformed
// tools/call (e.g. non-object arguments) with -32602 (invalid params), as the spec asks.
const LooseCallToolRequestSchema = z.object({ method: z.literal('tools/call'), params: z.unknown() });

export interface ServerOptions {
  /** How long to wait for the user to confirm a live payment. */
  confirmationTimeoutMs?: number;
  /** What the caller may do: `read` sees and calls only the read-only tools. Default `create` (stdio: the local user). */
  access?: Access;
  /** Who is calling, for the logs (a token label, or an OAuth subject and client); never a credential. */
  caller?: Readonly<Record<string, string>>;
  /** Whose spend limits apply: a static token's label, `oauth:<client_id>`, or `stdio` (the default). */
  credential?: string;
  /** Given each tool call while it runs, so a transport can wait at shutdown for every call to log its outcome. */
  trackCall?: (call: Promise<unknown>) => void;
}

/** One MCP server for one connection; everything that must outlive it comes in `shared`. */
export function createServer(shared: SharedState, options: ServerOptions = {}): Server {
  const { config } = shared;
  const { access = 'create', caller, credential = 'stdio' } = options;
  const logger = caller ? withFields(shared.logger, caller) : shared.logger;
  const server = new Server(
    { name: SERVER_NAME, title: 'Dodo Payments', version: SERVER_VERSION },
    { capabilities: { tools: {} }, jsonSchemaValidator: zodJsonSchemaValidator },
  );
  const confirmer = createElicitationConfirmer(server, options.confirmationTimeoutMs);
  const allowed = TOOL_REGISTRY.filter((tool) => access === 'create' || tool.annotations.readOnlyHint === true);
  const tools = new Map<string, ToolModule>(allowed.map((tool) => [tool.name, tool]));
  // Described when listed, not once: a reloaded spend policy changes what the caller is told.
  const advertised = (): Tool[] =>
    allowed.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.describe(config, shared.spend.describe(credential)),
      ...(advertisedSchemas[tool.name] as Pick<Tool, 'inputSchema' | 'outputSchema'>),
      annotations: tool.annotations,
    }));

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: advertised() }));
  server.setRequestHandler(LooseCallToolRequestSchema, async (request, extra) => {
    // The SDK has validated params against CallToolRequestSchema before calling this handler.
    const { name, arguments: args } = request.params as CallToolRequest['params'];
    const tool = tools.get(name);
    if (!tool) {
      if (TOOL_REGISTRY.some((known) => known.name === name)) return beyondAccess(name, [...tools.keys()], logger);
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}. Available: ${[...tools.keys()].join(', ')}`);
    }
    const call = tool.handle(args, { ...shared, logger, signal: extra.signal, confirmer, credential });
    options.trackCall?.(call);
    return redactResult(await call, shared.secrets);
  });
  return server;
}

/** A real tool this caller's credential may not call: refused before anything reaches Dodo. */
function beyondAccess(name: string, available: readonly string[], logger: SharedState['logger']): CallToolResult {
  logger.warn('tool_call', { tool: name, outcome: 'refused_beyond_access' });
  return errorResult(
    `${name} needs create access (token scope create, or OAuth scope payments:create); this credential may only call the ` +
      `read-only tools (${available.join(', ')}). Nothing was sent.`,
  );
}

/** The last gate before a result leaves the process: secrets are removed, in any encoding, even if the API echoed them. */
function redactResult(result: CallToolResult, secrets: readonly string[]): CallToolResult {
  const serialized = JSON.stringify(result);
  if (!secrets.some((secret) => serialized.includes(secret))) return result;
  return redactDeep(result, secrets);
}
