import {
  type CallToolResult,
  type InputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import type { Access } from '../auth/access.js';
import { withFields } from '../logging/logger.js';
import { containsSecret, redactDeep } from '../logging/redact.js';
import { advertisedSchemas } from '../tools/advertised-schemas.js';
import { TOOL_REGISTRY } from '../tools/registry.js';
import { errorResult, type LiveConfirmer, type ToolModule } from '../tools/tool.js';
import { SERVER_VERSION } from '../version.js';
import { zodJsonSchemaValidator } from './json-schema-validator.js';
import type { SharedState } from './shared-state.js';
import { elicitationConfirmer, inputRequiredConfirmer, NO_CONFIRMER } from './user-confirmation.js';

const SERVER_NAME = 'dodo-payments-mcp';

export interface ServerOptions {
  /**
   * What the instance serves: a 2025-era session or request (`legacy`), or 2026-07-28 requests (`modern`), and over
   * which transport. Live confirmation needs a channel for the answer: a stdio session (elicitation) or a 2026-07-28
   * retry (input_required); a 2025-era HTTP request has neither, so it is never asked.
   */
  era?: 'legacy' | 'modern';
  transport?: 'stdio' | 'http';
  /** How long to wait for the user to confirm a live payment. */
  confirmationTimeoutMs?: number;
  /** What the caller may do: `read` sees and calls only the read-only tools. Default `create` (stdio: the local user). */
  access?: Access;
  /** Who is calling, for the logs (a token label, or an OAuth subject and client); never a credential. */
  caller?: Readonly<Record<string, string>>;
  /** Whose spend limits apply: a static token's label, `oauth:<client_id>`, or `stdio` (the default). */
  credential?: string;
  /**
   * Given each tool call while it runs: stdio waits at shutdown for every call to log its outcome, and both transports
   * keep the young generation's size in check with it (src/young-generation.ts).
   */
  trackCall?: (call: Promise<unknown>) => void;
}

/** One MCP server for one connection; everything that must outlive it comes in `shared`. */
export function createServer(shared: SharedState, options: ServerOptions = {}): Server {
  const { config } = shared;
  const { access = 'create', caller, credential = 'stdio', era = 'legacy', transport = 'stdio' } = options;
  const logger = caller ? withFields(shared.logger, caller) : shared.logger;
  const server = new Server(
    { name: SERVER_NAME, title: 'Dodo Payments', version: SERVER_VERSION },
    {
      capabilities: { tools: {} },
      jsonSchemaValidator: zodJsonSchemaValidator,
      // Never ask a 2025-era client by the SDK's own server-to-client shim: over stateless HTTP the answer has no way back.
      inputRequired: { legacyShim: false },
      // A confirmation's state is checked (signature, expiry) before the handler runs; a bad one is -32602.
      requestState: { verify: (state, context) => shared.confirmationStates.verify(state, context) },
    },
  );
  const timeoutMs = options.confirmationTimeoutMs;
  const sessionConfirmer = era === 'legacy' && transport === 'stdio' ? elicitationConfirmer(server, timeoutMs) : NO_CONFIRMER;
  const confirmerFor = (context: ServerContext): LiveConfirmer =>
    era === 'modern'
      ? inputRequiredConfirmer(context, { states: shared.confirmationStates, credential, timeoutMs, now: shared.now })
      : sessionConfirmer;
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

  server.setRequestHandler('tools/list', () => ({ tools: advertised() }));
  server.setRequestHandler('tools/call', async (request, context) => {
    const { name, arguments: args } = request.params;
    const tool = tools.get(name);
    if (!tool) {
      if (TOOL_REGISTRY.some((known) => known.name === name)) return beyondAccess(name, [...tools.keys()], logger);
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}. Available: ${[...tools.keys()].join(', ')}`);
    }
    const call = tool.handle(args, { ...shared, logger, signal: context.mcpReq.signal, confirmer: confirmerFor(context), credential });
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
function redactResult<R extends CallToolResult | InputRequiredResult>(result: R, secrets: readonly string[]): R {
  return containsSecret(result, secrets) ? redactDeep(result, secrets) : result;
}
