// The floors the benchmark compares the server with: processes that do the least the same job needs.
// Each is a self-contained function that runs in its own process: it is written out with `String(fn)`,
// so it may use only its parameters, globals, `relayPayment` and `SERVER_POOL` (written out with it), and imports
// with `import()`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEEP_ALIVE_AGENT_OPTIONS } from '../src/dodo/node-http-fetch.js';

/** The server's connection pool settings, written out before the relays: the floor pools as the server does. */
declare const SERVER_POOL: typeof KEEP_ALIVE_AGENT_OPTIONS;

type Answer = { jsonrpc: '2.0'; id: unknown; result: object };
type Request = { id?: unknown; method?: string; params?: { arguments?: object } };

/** Cold start floor: answers initialize and tools/list on stdin, importing nothing. */
function coldStartFloor() {
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    for (let index = buffer.indexOf('\n'); index >= 0; index = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, index)) as { id?: number; method: string; params?: { protocolVersion?: string } };
      buffer = buffer.slice(index + 1);
      if (message.method === 'initialize') {
        const result = {
          protocolVersion: message.params?.protocolVersion,
          capabilities: { tools: {} },
          serverInfo: { name: 'floor', version: '0' },
        };
        process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result })}\n`);
      } else if (message.method === 'tools/list') {
        process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { tools: [] } })}\n`);
      }
    }
  });
}

/**
 * The relays' one job: the same POST /payments the server makes (node:http, keep-alive, no SDK, no validation),
 * answered as a tool result. Returns the function that relays one `tools/call`.
 */
async function relayPayment(): Promise<(message: Request, answer: (response: Answer) => void) => void> {
  const { Agent, request } = await import('node:http');
  // As the server's: an idle socket is closed before the API's keep-alive ends, so no request is sent on a socket the
  // API is closing (which failed a few floor calls per run when the floor kept sockets open).
  const agent = new Agent(SERVER_POOL);
  const url = new URL(`${process.env.DODO_PAYMENTS_BASE_URL}/payments`);
  const authorization = `Bearer ${process.env.DODO_PAYMENTS_API_KEY}`;
  return (message, answer) => {
    const body = JSON.stringify({ ...message.params?.arguments, payment_link: true });
    const headers = {
      authorization,
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    const post = request(url, { method: 'POST', agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const result = { content: [{ type: 'text', text }], structuredContent: JSON.parse(text), isError: response.statusCode !== 200 };
        answer({ jsonrpc: '2.0', id: message.id, result });
      });
    });
    post.on('error', (error: NodeJS.ErrnoException) =>
      answer({
        jsonrpc: '2.0',
        id: message.id,
        result: { content: [{ type: 'text', text: `relay failed: ${error.code ?? error.message}` }], isError: true },
      }),
    );
    post.end(body);
  };
}

/** Stdio call floor: newline-delimited JSON-RPC on stdin; `tools/call` is relayed, anything else with an id gets `{}`. */
async function stdioRelayFloor() {
  const relay = await relayPayment();
  const answer = (response: Answer) => process.stdout.write(`${JSON.stringify(response)}\n`);
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    for (let index = buffer.indexOf('\n'); index >= 0; index = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, index)) as Request;
      buffer = buffer.slice(index + 1);
      if (message.method === 'tools/call') relay(message, answer);
      else if (message.id !== undefined) answer({ jsonrpc: '2.0', id: message.id, result: {} });
    }
  });
}

/** HTTP call floor: takes the JSON-RPC POST, relays it, answers JSON; prints its URL on stdout once listening. */
async function httpRelayFloor() {
  const { createServer } = await import('node:http');
  const relay = await relayPayment();
  const server = createServer((incoming, outgoing) => {
    let text = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => (text += chunk));
    incoming.on('end', () =>
      relay(JSON.parse(text) as Request, (response) => {
        const body = JSON.stringify(response);
        outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      }),
    );
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`http://127.0.0.1:${port}/mcp\n`);
  });
}

export interface FloorPrograms {
  coldStart: string;
  stdioRelay: string;
  httpRelay: string;
}

/** Writes the floor programs into `dir` as .mjs files; returns their paths. */
export function writeFloorPrograms(dir: string): FloorPrograms {
  const write = (name: string, source: string) => {
    const path = join(dir, name);
    writeFileSync(path, source);
    return path;
  };
  const relay = `const SERVER_POOL = ${JSON.stringify(KEEP_ALIVE_AGENT_OPTIONS)};\n${relayPayment}\n`;
  return {
    coldStart: write('cold-start-floor.mjs', `(${coldStartFloor})();\n`),
    stdioRelay: write('stdio-relay-floor.mjs', `${relay}await (${stdioRelayFloor})();\n`),
    httpRelay: write('http-relay-floor.mjs', `${relay}await (${httpRelayFloor})();\n`),
  };
}
