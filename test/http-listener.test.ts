// The listen/stop lifecycle on a real loopback socket (the routes are the router's business).
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../src/transports/http/http-listener.js';
import { recordingLogger } from './support/http-fakes.js';

const started: Listening[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop({ graceMs: 0 })));
});

describe('listen', () => {
  it('a handler that fails before answering: 500 with a JSON-RPC internal error, logged at warn', async () => {
    const { logger, lines } = recordingLogger();
    const server = await listen({ host: '127.0.0.1', port: 0, logger }, () => Promise.reject(new Error('boom')));
    started.push(server);
    const response = await fetch(`http://127.0.0.1:${server.port}/mcp?q=1`, { method: 'POST' });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null });
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'warn', event: 'http_request_failed', method: 'POST', path: '/mcp', error: 'boom' }),
    ]);
  });

  it('a handler that fails after its answer began: the connection is cut', async () => {
    const { logger } = recordingLogger();
    const server = await listen({ host: '127.0.0.1', port: 0, logger }, async (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' }).write('partial');
      throw new Error('midway');
    });
    started.push(server);
    await expect(fetch(`http://127.0.0.1:${server.port}/`).then((response) => response.text())).rejects.toThrow();
  });

  it('rejects with the listen error when the port is taken', async () => {
    const { logger } = recordingLogger();
    const first = await listen({ host: '127.0.0.1', port: 0, logger }, () => Promise.resolve());
    started.push(first);
    await expect(listen({ host: '127.0.0.1', port: first.port, logger }, () => Promise.resolve())).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('stop: a request arriving while stopping is answered with Connection: close, and stop resolves once it ends', async () => {
    const { logger } = recordingLogger();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const server = await listen({ host: '127.0.0.1', port: 0, logger }, async (_request, response) => {
      arrived();
      await held;
      response.writeHead(200).end('done');
    });
    const answer = fetch(`http://127.0.0.1:${server.port}/`);
    await arrival;
    const stopped = server.stop({ graceMs: 600_000 });
    release();
    const response = await answer;
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toBe('done');
    await stopped;
  });
});
