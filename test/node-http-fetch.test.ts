import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from '../src/dodo/node-http-fetch.js';

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
