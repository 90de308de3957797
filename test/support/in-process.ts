import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type CallToolResult,
  type ClientCapabilities,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { InMemoryTransport, type Server } from '@modelcontextprotocol/server';
import type { Config } from '../../src/config/config.js';
import { createServer } from '../../src/server/create-server.js';
import { createSharedState, type SharedStateOverrides } from '../../src/server/shared-state.js';
import { TOOL_REGISTRY } from '../../src/tools/registry.js';

export const TEST_KEY = 'sk_test_5ecret_K3y_never_shown';

/** The tools the server lists, in order: the registry's, so a new tool needs no edit in the tests that list them. */
export const TOOL_NAMES = TOOL_REGISTRY.map((tool) => tool.name);

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    apiKey: TEST_KEY,
    environment: 'test_mode',
    baseUrl: 'http://127.0.0.1:9',
    // Long enough that no call in a test ends by it; tests of the timeout drive it with endedByApiTimeout.
    timeoutMs: 30_000,
    reconcileMs: 0,
    shutdownGraceMs: 0,
    logLevel: 'info',
    confirm: 'auto',
    transport: 'stdio',
    ...overrides,
  };
}

export interface InProcessSession {
  client: Client;
  call(args: unknown, name?: string): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface ClientOptions {
  capabilities?: ClientCapabilities;
  /** Answers the server's elicitation requests (needs capabilities.elicitation). */
  onElicit?: (request: ElicitRequest) => Promise<ElicitResult>;
}

export interface TestDependencies extends SharedStateOverrides {
  /** How long to wait for the user to confirm a live payment. */
  confirmationTimeoutMs?: number;
}

/** A real MCP client connected in-process to a server over `config`; tools are listed first so the client checks output schemas. */
export function connectInProcess(
  config: Config,
  dependencies: TestDependencies = {},
  clientOptions: ClientOptions = {},
): Promise<InProcessSession> {
  const { confirmationTimeoutMs, ...shared } = dependencies;
  return connectClient(createServer(createSharedState(config, shared), { confirmationTimeoutMs }), clientOptions);
}

/** A real MCP client connected in-process to `server`. */
export async function connectClient(server: Server, clientOptions: ClientOptions = {}): Promise<InProcessSession> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities: clientOptions.capabilities ?? {} });
  const { onElicit } = clientOptions;
  if (onElicit) client.setRequestHandler(ElicitRequestSchema, (request) => onElicit(request));
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  await client.listTools();
  return {
    client,
    call: async (args, name = 'create_one_time_payment') =>
      (await client.callTool({ name, arguments: args as Record<string, unknown> })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export function resultText(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const SAMPLE_PAYMENT = {
  billing: { country: 'DE', city: 'Berlin' },
  customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
  product_cart: [
    { product_id: 'pdt_ebook', quantity: 2 },
    { product_id: 'pdt_course_pro', quantity: 1 },
  ],
};
