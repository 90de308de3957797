import { Server } from '@modelcontextprotocol/server';
import type { Principal } from '../../src/auth/access.js';

// TEST FIXTURE, not the product: a minimal MCP server with one tool, so the HTTP front door can be tested
// (and run through the conformance suite) before the integrator hands it the real `createServer`.

export const FIXTURE_TOOL = 'whoami';

export interface FixtureOptions {
  /** Called when a tool call starts, so a test knows the request is in flight. */
  onToolStarted?: () => void;
  /** The tool answers only after this settles; lets a test hold a request open. */
  holdUntil?: Promise<void>;
}

export function createFixtureMcpServer(principal: Principal | undefined, options: FixtureOptions = {}): Server {
  const server = new Server({ name: 'http-fixture', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({
    tools: [
      {
        name: FIXTURE_TOOL,
        description: 'Says who the server thinks is calling (test fixture).',
        inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      },
    ],
  }));
  server.setRequestHandler('tools/call', async () => {
    options.onToolStarted?.();
    await options.holdUntil;
    const caller = principal ? `${principal.subject} (${principal.access})` : 'anonymous';
    return { content: [{ type: 'text', text: caller }] };
  });
  return server;
}

/** A promise a test settles by hand: the deterministic stand-in for "wait a bit". */
interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
