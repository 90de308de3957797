// How the benchmark starts and speaks to the processes it measures (the server, stdio or hosted, and the floors),
// with as little client-side work as possible: newline-delimited JSON-RPC on stdio, keep-alive `node:http` requests.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, get as httpGet, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { HeapReading } from './bench-heap-probe.js';

const PAYMENT = {
  billing: { country: 'US' },
  customer: { email: 'bench@example.com' },
  product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
};

type Message = { id?: number; result?: unknown; error?: unknown };

/** Undefined when `message` answers a call that created a payment, else a short account of what came back. */
function failureOf(message: Message): string | undefined {
  const result = message.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  if (typeof result === 'object' && result !== null && !result.isError) return undefined;
  const shown = result?.isError
    ? `tool error: ${result.content?.[0]?.text ?? ''}`
    : `no result: ${JSON.stringify(message.error ?? message)}`;
  return shown.slice(0, 200);
}

/** Resident set size now and at its peak (VmHWM), from /proc (Linux). */
export function processMemory(pid: number | undefined): { rssMiB: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/**
 * The CPU time a process has used so far, in µs: the time on CPU of each of its threads (the main thread, V8's GC
 * and compiler threads, libuv's pool), from /proc (Linux), in nanoseconds. Node's own threads live as long as the
 * process, so little time is lost with a thread that ended.
 */
export function processCpuMicroseconds(pid: number | undefined): number {
  let nanoseconds = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nanoseconds / 1000;
}

function onLines(stream: Readable, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    for (let index = buffer.indexOf('\n'); index >= 0; index = buffer.indexOf('\n')) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      onLine(line);
    }
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/**
 * What a measured process sees of this one's environment: PATH, and the cache folder the user chose (where the server
 * keeps its code cache), so that a bench run, or its smoke test, uses that folder as the server would.
 */
function processEnvironment(): Record<string, string> {
  const { PATH = '', XDG_CACHE_HOME } = process.env;
  return XDG_CACHE_HOME === undefined ? { PATH } : { PATH, XDG_CACHE_HOME };
}

/** Newline-delimited JSON-RPC over a child's stdio. With a heap probe preloaded, `heap()` reads it (fd 3). */
export class LineClient {
  private nextId = 1;
  private readonly pending = new Map<number, (message: Message) => void>();
  private readonly heapReadings: ((reading: HeapReading) => void)[] = [];
  private readonly stdin: Writable;
  private readonly child: ChildProcess;

  constructor(entry: string, env: Record<string, string>, nodeFlags: string[] = [], node = process.execPath) {
    this.child = spawn(node, [...nodeFlags, entry], {
      env: { ...processEnvironment(), ...env },
      stdio: ['pipe', 'pipe', 'inherit', 'pipe'],
    });
    this.stdin = this.child.stdin as Writable;
    onLines(this.child.stdout as Readable, (line) => {
      const message = JSON.parse(line) as Message;
      if (typeof message.id !== 'number') return;
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
    onLines(this.child.stdio[3] as Readable, (line) => this.heapReadings.shift()?.(JSON.parse(line) as HeapReading));
  }

  request(method: string, params: object = {}): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  async initialize(): Promise<void> {
    await this.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
    this.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  }

  readonly callPayment = async (): Promise<string | undefined> =>
    failureOf(await this.request('tools/call', { name: 'create_one_time_payment', arguments: PAYMENT }));

  heap(): Promise<HeapReading> {
    return new Promise((resolve) => {
      this.heapReadings.push(resolve);
      this.child.kill('SIGUSR2');
    });
  }

  memory() {
    return processMemory(this.child.pid);
  }

  readonly cpuMicroseconds = () => processCpuMicroseconds(this.child.pid);

  close(): Promise<void> {
    this.stdin.end();
    return exited(this.child);
  }
}

/** A JSON-RPC endpoint over HTTP (the hosted server or the HTTP floor) and the process behind it. */
export interface HttpTarget {
  child: ChildProcess;
  url: URL;
  token?: string;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });

function failOnExit(child: ChildProcess, what: string): Promise<never> {
  return new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`))));
}

/**
 * The server in hosted mode on 127.0.0.1, logging off like the stdio runs (the start line is a log line, so the
 * port is chosen here and readiness is polled on /healthz). With `token`, static-token auth; without, auth none.
 */
export async function startHostedServer(entry: string, env: Record<string, string>, token?: string): Promise<HttpTarget> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: {
      ...processEnvironment(),
      ...env,
      DODO_PAYMENTS_MCP_TRANSPORT: 'http',
      DODO_PAYMENTS_MCP_PORT: String(port),
      ...(token ? { DODO_PAYMENTS_MCP_TOKENS: `bench:create:${token}` } : { DODO_PAYMENTS_MCP_AUTH: 'none' }),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const healthy = () =>
    new Promise<boolean>((resolve) =>
      httpGet(`http://127.0.0.1:${port}/healthz`, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      }).on('error', () => resolve(false)),
    );
  const ready = (async () => {
    while (!(await healthy())) await new Promise((resolve) => setTimeout(resolve, 20));
  })();
  await Promise.race([ready, failOnExit(child, 'the hosted server')]);
  return { child, url: new URL(`http://127.0.0.1:${port}/mcp`), ...(token && { token }) };
}

/** The HTTP floor (a program from bench-floors.ts), which prints its URL once listening. */
export async function startHttpFloor(program: string, env: Record<string, string>): Promise<HttpTarget> {
  const child = spawn(process.execPath, [program], { env: { ...processEnvironment(), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = new Promise<URL>((resolve) => onLines(child.stdout as Readable, (line) => resolve(new URL(line))));
  return { child, url: await Promise.race([url, failOnExit(child, 'the HTTP floor')]) };
}

export async function stopHttpTarget(target: HttpTarget): Promise<void> {
  target.child.kill('SIGTERM');
  await exited(target.child);
}

/** A `tools/call create_one_time_payment` to `target` on its own keep-alive agent with `inFlight` sockets. */
export function httpCaller(target: HttpTarget, inFlight: number): { call: () => Promise<string | undefined>; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'create_one_time_payment', arguments: PAYMENT },
  });
  const headers = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': '2025-11-25',
    'content-length': String(Buffer.byteLength(body)),
    ...(target.token && { authorization: `Bearer ${target.token}` }),
  };
  const call = () =>
    new Promise<string | undefined>((resolve) => {
      const request = httpRequest(target.url, { method: 'POST', headers, agent }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) resolve(`HTTP ${response.statusCode}: ${text.slice(0, 160)}`);
          else {
            try {
              resolve(failureOf(JSON.parse(text) as Message));
            } catch {
              resolve(`not JSON: ${text.slice(0, 160)}`);
            }
          }
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => resolve(`request failed: ${error.code ?? error.message}`));
      request.end(body);
    });
  return { call, close: () => agent.destroy() };
}
