import { describe, expect, it } from 'vitest';
import { answerHealth, type HealthCheck } from '../src/transports/http/health-endpoint.js';
import { refusalsLoggedTo } from '../src/transports/http/refusals.js';
import { fakeRequest, fakeResponse, recordingLogger } from './support/http-fakes.js';

async function ask(health: HealthCheck, method = 'GET') {
  const { logger, lines } = recordingLogger();
  const { response, recorded } = fakeResponse();
  await answerHealth(fakeRequest(method, '/healthz'), response, health, refusalsLoggedTo(logger));
  return { recorded, lines };
}

describe('GET /healthz', () => {
  it('200 with the check body when its status is ok, nothing logged', async () => {
    const { recorded, lines } = await ask(() => Promise.resolve({ status: 'ok', store: 'memory' }));
    expect(recorded.status).toBe(200);
    expect(recorded.json()).toEqual({ status: 'ok', store: 'memory' });
    expect(lines()).toEqual([]);
  });

  it('503 with the check body when its status is anything else', async () => {
    const { recorded } = await ask(() => Promise.resolve({ status: 'unavailable', store: 'unreachable' }));
    expect(recorded.status).toBe(503);
    expect(recorded.json()).toEqual({ status: 'unavailable', store: 'unreachable' });
  });

  it('503 when the check fails: the reason in the log at warn, not in the body', async () => {
    const { recorded, lines } = await ask(() => Promise.reject(new Error('redis said no')));
    expect(recorded.status).toBe(503);
    expect(recorded.json()).toEqual({ status: 'unavailable' });
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'warn', event: 'http_request_rejected', status: 503, reason: 'health check failed: redis said no' }),
    ]);
  });

  it('other methods: 405 with Allow: GET, at info, and the check is not run', async () => {
    let checked = false;
    const { recorded, lines } = await ask(() => {
      checked = true;
      return Promise.resolve({ status: 'ok' });
    }, 'POST');
    expect(recorded.status).toBe(405);
    expect(recorded.headers).toMatchObject({ Allow: 'GET' });
    expect(lines()[0]).toMatchObject({ level: 'info', status: 405 });
    expect(checked).toBe(false);
  });
});
