import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { closedPort } from './in-process.js';

/** Found on PATH (Homebrew, a source build, Debian's /usr/bin all work). */
const REDIS_SERVER = 'redis-server';
export const REDIS_SERVER_MISSING =
  'redis-server is not on PATH; the hosted-mode tests need it: apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)';

/** The shared store's marker of an established deployment (see src/idempotency/shared-store.ts, "Lost data"). */
export const EPOCH_KEY = 'dodo-mcp:epoch';

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the process without closing its connections (SIGSTOP): a Redis that keeps the socket and never answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/**
 * A real redis-server on 127.0.0.1, in a temp dir, persisting nothing; resolves once it logs that it accepts
 * connections. `port` restarts one on the port of a stopped one. `established` (default) marks it as an established
 * deployment's; a server without the marker is one that a store must assume just lost its data.
 */
export async function startRedisServer({ port, established = true }: { port?: number; established?: boolean } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dodo-mcp-redis-'));
  const listenPort = port ?? (await closedPort());
  const server = spawn(
    REDIS_SERVER,
    ['--port', String(listenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A process that could not be spawned (ENOENT) emits 'error' and never 'exit'.
  const exited = new Promise<void>((resolve) => {
    server.once('exit', () => resolve());
    server.once('error', () => resolve());
  });
  try {
    await readyOrExit(server);
  } catch (error) {
    server.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `redis://127.0.0.1:${listenPort}`;
  if (established) await markEstablished(url);
  return {
    url,
    port: listenPort,
    pause: () => server.kill('SIGSTOP'),
    resume: () => server.kill('SIGCONT'),
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGCONT');
        server.kill('SIGTERM');
      }
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function markEstablished(url: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  await setEstablishedMarker(client);
  await client.close();
}

/** A marker written long ago on this server process: an established deployment with nothing lost. */
async function setEstablishedMarker(client: {
  info(section: string): Promise<string>;
  set(key: string, value: string): Promise<unknown>;
}): Promise<void> {
  const runId = /run_id:(\w+)/.exec(await client.info('server'))?.[1];
  await client.set(EPOCH_KEY, `established@0@${runId}`);
}

function readyOrExit(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(REDIS_SERVER_MISSING) : error));
    server.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
}

export interface RedisSuite {
  url: string;
  /** A plain client for the test to look inside Redis. */
  control: ReturnType<typeof createClient>;
}

/**
 * A real redis-server for the whole test file (started before its tests, stopped after), emptied before each test
 * and marked as an established deployment's (a store finding no marker assumes it lost data, and waits).
 */
export function useRedisServer(): RedisSuite {
  let server: RedisServer | undefined;
  let control: ReturnType<typeof createClient> | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    control = createClient({ url: server.url });
    await control.connect();
  });
  afterAll(async () => {
    await control?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await control?.flushDb();
    if (control) await setEstablishedMarker(control);
  });
  const started = <V>(value: V | undefined): V => {
    if (value === undefined) throw new Error('the Redis server is used before its beforeAll hook ran');
    return value;
  };
  return {
    get url() {
      return started(server).url;
    },
    get control() {
      return started(control);
    },
  };
}
