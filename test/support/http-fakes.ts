// Stand-ins for node:http's request and response, for the front door's pieces tested without a socket.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger.js';

/** A request whose body is written by the test (`body.end(…)`, or `body.destroy()` for a client that went away). */
export function fakeRequest(method: string, url: string, headers: IncomingHttpHeaders = {}): IncomingMessage & { body: PassThrough } {
  const body = new PassThrough();
  return Object.assign(body, { method, url, headers, body }) as unknown as IncomingMessage & { body: PassThrough };
}

export interface RecordedResponse {
  status?: number;
  headers: OutgoingHttpHeaders;
  body: string;
  json(): unknown;
}

/** A response that records what was written; `response` is what the code under test is handed. */
export function fakeResponse(): { response: ServerResponse; recorded: RecordedResponse } {
  const recorded: RecordedResponse = { headers: {}, body: '', json: () => JSON.parse(recorded.body) };
  const response = {
    headersSent: false,
    writeHead(status: number, headers: OutgoingHttpHeaders = {}) {
      recorded.status = status;
      recorded.headers = { ...recorded.headers, ...headers };
      response.headersSent = true;
      return response;
    },
    end(body?: string) {
      recorded.body = body ?? '';
      return response;
    },
  };
  return { response: response as unknown as ServerResponse, recorded };
}

/** A logger whose lines the test reads back as objects. */
export function recordingLogger(): { logger: Logger; lines(): Record<string, unknown>[] } {
  const lines: string[] = [];
  return {
    logger: createLogger({ write: (line) => lines.push(line) }),
    lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
