import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_ALIVE_AGENT_OPTIONS, nodeHttpFetch } from '../src/dodo/node-http-fetch.js';

let url: string;
const received: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    received.push({ method: request.method, headers: request.headers, body });
    response.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
    response.end('{"ok":true}');
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('nodeHttpFetch', () => {
  it('sends method, headers and a text body with its length, and answers like fetch', async () => {
    const response = await nodeHttpFetch(`${url}/payments`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer k' }),
      body: '{"é":1}',
    });
    expect(received.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"é":1}',
      headers: { authorization: 'Bearer k', 'content-length': '8' },
    });
    expect(response).toMatchObject({ ok: true, status: 201, url: `${url}/payments`, body: null });
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('x-missing')).toBeNull();
    expect(await response.json()).toEqual({ ok: true });
  });

  it('sends a byte body', async () => {
    await nodeHttpFetch(url, { method: 'PUT', body: new TextEncoder().encode('bytes') });
    expect(received.at(-1)).toMatchObject({ method: 'PUT', body: 'bytes' });
  });

  it('refuses a body it cannot send rather than dropping it', async () => {
    await expect(nodeHttpFetch(url, { method: 'POST', body: new URLSearchParams({ a: '1' }) })).rejects.toThrow(
      'only string or byte bodies',
    );
  });

  it('rejects with an AbortError when the signal is already aborted', async () => {
    await expect(nodeHttpFetch(url, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

/** A TCP server that answers every request with `101 Switching Protocols` and then stays silent. */
async function switchingProtocolsServer() {
  const sockets = new Set<Socket>();
  let answered!: () => void;
  const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      answered();
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(tcp.address() as AddressInfo).port}`,
    firstAnswer,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        tcp.close(() => resolve());
      }),
  };
}

describe('nodeHttpFetch with answers that never complete', () => {
  it('fails a 101 Switching Protocols instead of waiting forever', async () => {
    const upgrading = await switchingProtocolsServer();
    await expect(nodeHttpFetch(upgrading.url, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'UNEXPECTED_UPGRADE' });
    await upgrading.close();
  });

  it('ends at once when aborted mid-body', async () => {
    const stalling = createTcpServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"pay'));
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const controller = new AbortController();
    const pending = nodeHttpFetch(`http://127.0.0.1:${(stalling.address() as AddressInfo).port}`, { signal: controller.signal });
    await new Promise<void>((resolve) => stalling.once('connection', (socket: Socket) => socket.once('data', () => setImmediate(resolve))));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise<void>((resolve) => stalling.close(() => resolve()));
  });

  it('fails as a reset when the API closes the connection mid-body, and a complete answer stands', async () => {
    const cutting = createTcpServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"pay'));
    });
    await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
    const cut = nodeHttpFetch(`http://127.0.0.1:${(cutting.address() as AddressInfo).port}`, { method: 'POST', body: '{}' });
    await expect(cut).rejects.toMatchObject({ code: 'ECONNRESET' });
    await new Promise<void>((resolve) => cutting.close(() => resolve()));
    // The 'close' that follows a complete answer changes nothing: the answer stands.
    const answered = await nodeHttpFetch(`${url}/payments`, { method: 'POST', body: '{}' });
    await expect(answered.json()).resolves.toEqual({ ok: true });
  });
});

describe('keep-alive idle timeout', () => {
  /** The idle timeout Node gives a pooled socket after one request to a server that sends `hint` (or none). */
  async function idleTimeoutAfterOneRequest(keepAliveHeader: string | undefined): Promise<number | undefined> {
    const hinting = createServer((_request, response) => {
      response.writeHead(200, keepAliveHeader ? { 'keep-alive': keepAliveHeader } : {});
      response.end('ok');
    });
    hinting.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => hinting.listen(0, '127.0.0.1', resolve));
    const agent = new Agent(KEEP_ALIVE_AGENT_OPTIONS);
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(`http://127.0.0.1:${(hinting.address() as AddressInfo).port}`, { agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end();
    });
    await new Promise((resolve) => setImmediate(resolve));
    const [socket] = Object.values(agent.freeSockets).flat();
    const timeout = socket?.timeout;
    agent.destroy();
    await new Promise<void>((resolve) => hinting.close(() => resolve()));
    return timeout;
  }

  it('closes idle pooled connections after 4 s, or a second before a shorter Keep-Alive hint', async () => {
    expect(await idleTimeoutAfterOneRequest(undefined)).toBe(4_000);
    expect(await idleTimeoutAfterOneRequest('timeout=3')).toBe(2_000);
    expect(await idleTimeoutAfterOneRequest('timeout=60')).toBe(4_000);
  });
});
