import { describe, expect, it } from 'vitest';
import { authenticationRefusal } from '../src/transports/http/authentication.js';
import { methodNotAllowed, refusalsLoggedTo } from '../src/transports/http/refusals.js';
import { fakeRequest, fakeResponse, recordingLogger } from './support/http-fakes.js';

describe('refusalsLoggedTo', () => {
  it('logs http_request_rejected at info by default, with the path without its query, and answers JSON', () => {
    const { logger, lines } = recordingLogger();
    const { response, recorded } = fakeResponse();
    refusalsLoggedTo(logger)(fakeRequest('GET', '/nowhere?x=1'), response, {
      refusal: { status: 404, reason: 'no such path' },
      body: { error: 'not_found' },
      headers: { 'X-Extra': 'yes' },
    });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        event: 'http_request_rejected',
        status: 404,
        reason: 'no such path',
        method: 'GET',
        path: '/nowhere',
      }),
    ]);
    expect(recorded.status).toBe(404);
    expect(recorded.headers).toMatchObject({ 'X-Extra': 'yes', 'Content-Type': 'application/json', 'Content-Length': 21 });
    expect(recorded.json()).toEqual({ error: 'not_found' });
  });

  it('logs at warn when the refusal says so', () => {
    const { logger, lines } = recordingLogger();
    refusalsLoggedTo(logger)(fakeRequest('POST', 'http://example.test/mcp'), fakeResponse().response, {
      refusal: { status: 403, reason: 'host not allowed', level: 'warn' },
      body: {},
    });
    expect(lines()[0]).toMatchObject({ level: 'warn', status: 403, path: '/mcp' });
  });

  it('methodNotAllowed: 405 naming the method, Allow after the other headers', () => {
    expect(methodNotAllowed(fakeRequest('PUT', '/x'), 'GET', { 'Access-Control-Allow-Origin': '*' })).toEqual({
      refusal: { status: 405, reason: 'method not allowed' },
      body: { error: 'method_not_allowed', error_description: 'PUT is not allowed here' },
      headers: { 'Access-Control-Allow-Origin': '*', Allow: 'GET' },
    });
  });
});

describe('authenticationRefusal', () => {
  it('a request without credentials: 401 at info, error "unauthorized" in the body, no error code in the challenge', () => {
    expect(
      authenticationRefusal({ ok: false, status: 401, wwwAuthenticate: 'Bearer realm="r"', description: 'A bearer token is required' }),
    ).toEqual({
      refusal: { status: 401, reason: 'unauthorized: A bearer token is required', level: 'info' },
      body: { error: 'unauthorized', error_description: 'A bearer token is required' },
      headers: { 'WWW-Authenticate': 'Bearer realm="r"' },
    });
  });

  it('a wrong token or a missing scope: its status and error, at warn', () => {
    const answer = authenticationRefusal({
      ok: false,
      status: 403,
      wwwAuthenticate: 'Bearer error="insufficient_scope"',
      error: 'insufficient_scope',
      description: 'needs create',
    });
    expect(answer).toMatchObject({
      refusal: { status: 403, reason: 'insufficient_scope: needs create', level: 'warn' },
      body: { error: 'insufficient_scope', error_description: 'needs create' },
    });
  });
});
