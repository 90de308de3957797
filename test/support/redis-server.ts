import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Debian package's binary unless REDIS_SERVER_BIN points elsewhere. */
const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const READY_LINE = 'Ready to accept connections';
/** Another process can take the free port between our probe and redis binding it; try a few ports. */
const START_ATTEMPTS = 3;

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A real, throwaway redis-server on 127.0.0.1: no persistence, its own temp dir, ready when this resolves. */
export async function startRedisServer(): Promise<RedisServer> {
  const failures: string[] = [];
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'redis-test-'));
    const started = await startOnce(await freeLoopbackPort(), dir);
    if (started.ok) return started.server;
    failures.push(started.output);
    await rm(dir, { recursive: true, force: true });
  }
  throw new Error(`redis-server did not start (is the redis-server package installed?):\n${failures.join('\n---\n')}`);
}

type StartOutcome = { ok: true; server: RedisServer } | { ok: false; output: string };

function startOnce(port: number, dir: string): Promise<StartOutcome> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  const child = spawn(REDIS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  let output = '';
  // Readiness is redis's own log line, not a delay: it is printed once the port accepts connections.
  return new Promise((resolve) => {
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(READY_LINE)) {
        child.stdout.off('data', onOutput);
        resolve({ ok: true, server: { url: `redis://127.0.0.1:${port}`, port, stop } });
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) => resolve({ ok: false, output: error.message }));
    void exited.then(() => resolve({ ok: false, output }));
  });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
