import { describe, expect, it } from 'vitest';
import { publicDocuments, serveDocument } from '../src/transports/http/public-documents.js';
import { refusalsLoggedTo } from '../src/transports/http/refusals.js';
import { fakeRequest, fakeResponse, recordingLogger } from './support/http-fakes.js';

const DOCUMENT = publicDocuments({ '/doc': { resource: 'https://mcp.example' } }).get('/doc') as string;

function serve(method: string) {
  const { logger, lines } = recordingLogger();
  const { response, recorded } = fakeResponse();
  serveDocument(fakeRequest(method, '/doc'), response, DOCUMENT, refusalsLoggedTo(logger));
  return { recorded, lines };
}

describe('public documents', () => {
  it('are serialised once, by path', () => {
    expect([...publicDocuments({ '/a': { x: 1 } })]).toEqual([['/a', '{"x":1}']]);
    expect(publicDocuments().size).toBe(0);
  });

  it('GET: 200 with the document, readable from any origin', () => {
    const { recorded } = serve('GET');
    expect(recorded.status).toBe(200);
    expect(recorded.headers).toMatchObject({ 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
    expect(recorded.json()).toEqual({ resource: 'https://mcp.example' });
  });

  it('OPTIONS: the CORS preflight, 204 with no body', () => {
    const { recorded, lines } = serve('OPTIONS');
    expect(recorded.status).toBe(204);
    expect(recorded.headers).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, OPTIONS',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Max-Age': '86400',
    });
    expect(recorded.body).toBe('');
    expect(lines()).toEqual([]);
  });

  it('other methods: 405 at info, still with CORS so a browser can read why', () => {
    const { recorded, lines } = serve('POST');
    expect(recorded.status).toBe(405);
    expect(recorded.headers).toMatchObject({ 'Access-Control-Allow-Origin': '*', Allow: 'GET, OPTIONS' });
    expect(lines()).toEqual([expect.objectContaining({ level: 'info', event: 'http_request_rejected', status: 405, path: '/doc' })]);
  });
});
