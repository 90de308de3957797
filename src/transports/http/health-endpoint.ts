import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, type Refuse, sendJson } from './refusals.js';

/** Body of `GET /healthz`: 200 when its `status` is `ok`, 503 otherwise or when it rejects. */
export type HealthCheck = () => Promise<Record<string, unknown>>;

/** `GET /healthz`: a failing check is what an operator should look at (503 at warn, reason in the log, not the body). */
export async function answerHealth(request: IncomingMessage, response: ServerResponse, health: HealthCheck, refuse: Refuse): Promise<void> {
  if (request.method !== 'GET') return refuse(request, response, methodNotAllowed(request, 'GET'));
  try {
    const body = await health();
    sendJson(response, body.status === 'ok' ? 200 : 503, body);
  } catch (error) {
    const reason = `health check failed: ${error instanceof Error ? error.message : String(error)}`;
    refuse(request, response, { refusal: { status: 503, reason, level: 'warn' }, body: { status: 'unavailable' } });
  }
}
