import { describe, expect, it } from 'vitest';
import { readJsonBody } from '../src/transports/http/request-body.js';
import { fakeRequest } from './support/http-fakes.js';

describe('readJsonBody', () => {
  it('parses a body within the limit', async () => {
    const request = fakeRequest('POST', '/mcp');
    request.body.end('{"jsonrpc":"2.0","id":1}');
    expect(await readJsonBody(request, 100)).toEqual({ kind: 'json', message: { jsonrpc: '2.0', id: 1 } });
  });

  it('refuses a declared Content-Length over the limit before reading: 413 at warn, connection closed', async () => {
    const request = fakeRequest('POST', '/mcp', { 'content-length': '101' });
    expect(await readJsonBody(request, 100)).toEqual({
      kind: 'refused',
      answer: {
        refusal: { status: 413, reason: 'body over 100 bytes', level: 'warn' },
        body: {
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Payload Too Large: the request body must not exceed 100 bytes' },
          id: null,
        },
        headers: { Connection: 'close' },
      },
    });
  });

  it('stops at the chunk that crosses the limit, leaving the rest unread', async () => {
    const request = fakeRequest('POST', '/mcp');
    request.body.write('x'.repeat(60));
    request.body.write('x'.repeat(60));
    const read = await readJsonBody(request, 100);
    expect(read).toMatchObject({ kind: 'refused', answer: { refusal: { status: 413 } } });
    expect(request.body.isPaused()).toBe(true);
  });

  it('answers a body that is not JSON with a JSON-RPC parse error, 400 at info', async () => {
    const request = fakeRequest('POST', '/mcp');
    request.body.end('{not json');
    expect(await readJsonBody(request, 100)).toEqual({
      kind: 'refused',
      answer: {
        refusal: { status: 400, reason: 'body is not JSON' },
        body: { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null },
      },
    });
  });

  it('has nothing to answer when the client goes away mid-body', async () => {
    const request = fakeRequest('POST', '/mcp');
    request.body.write('{"jsonrpc"');
    const read = readJsonBody(request, 100);
    request.body.destroy();
    expect(await read).toEqual({ kind: 'aborted' });
  });
});
