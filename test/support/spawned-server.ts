import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { temporaryFile } from './temporary-files.js';

export const SERVER_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** The servers' cache folder (their code cache, src/index.ts): one per test file, removed with it, never the user's. */
let cacheHome: string | undefined;

/** Only what the server should see: no inherited DODO_* variables from the developer's shell, and its own caches. */
export function serverEnvironment(variables: Record<string, string>): Record<string, string> {
  cacheHome ??= temporaryFile('cache-home');
  return { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: cacheHome, ...variables };
}

export interface RawServer {
  process: ChildProcessWithoutNullStreams;
  stdoutLines: string[];
  stderr(): string;
  send(message: object | string): void;
  /** Resolves with the JSON-RPC response whose id matches. */
  response(id: number): Promise<Record<string, unknown>>;
  exit(): Promise<number | null>;
  stop(): Promise<number | null>;
}

/** The built server spoken to line by line, to check exactly what crosses stdio. */
export function spawnRawServer(variables: Record<string, string>, entry = SERVER_ENTRY): RawServer {
  const child = spawn(process.execPath, [entry], { env: serverEnvironment(variables) });
  const stdoutLines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Map<number, (message: Record<string, unknown>) => void>();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stdoutLines.push(line);
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.id === 'number') waiters.get(message.id)?.(message);
    }
  });

  return {
    process: child,
    stdoutLines,
    stderr: () => stderr,
    send: (message) => child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`),
    response: (id) =>
      new Promise((resolve) => {
        const existing = stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((m) => m.id === id);
        if (existing) resolve(existing);
        else waiters.set(id, resolve);
      }),
    exit: () => exited,
    stop: () => {
      child.stdin.end();
      return exited;
    },
  };
}

export function initializeRequest(id: number, protocolVersion = '2025-11-25'): object {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-test', version: '1.0.0' } },
  };
}

export interface SpawnedHttpServer {
  process: ChildProcessWithoutNullStreams;
  /** The MCP endpoint from the server's start line. */
  url: string;
  stderr(): string;
  exit(): Promise<number | null>;
}

/** The built server in hosted mode on a free loopback port; resolves once its start line names the URL. */
export function spawnHttpServer(variables: Record<string, string>, entry = SERVER_ENTRY): Promise<SpawnedHttpServer> {
  const child = spawn(process.execPath, [entry], {
    env: serverEnvironment({ DODO_PAYMENTS_MCP_TRANSPORT: 'http', DODO_PAYMENTS_MCP_PORT: '0', ...variables }),
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const url = /"event":"http_listening","url":"([^"]+)"/.exec(stderr)?.[1];
      if (url) resolve({ process: child, url, stderr: () => stderr, exit: () => exited });
    });
    void exited.then((code) => reject(new Error(`the server exited with ${code} before listening:\n${stderr}`)));
  });
}

/** The built server after the initialize handshake, ready for tool calls. */
export async function initializedServer(variables: Record<string, string>): Promise<RawServer> {
  const server = spawnRawServer(variables);
  server.send(initializeRequest(1));
  await server.response(1);
  server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return server;
}

/** A JSON-RPC tools/call request line for create_one_time_payment. */
export const createPaymentRequest = (id: number, args: object) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'create_one_time_payment', arguments: args },
});
