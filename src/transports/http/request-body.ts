import type { IncomingMessage } from 'node:http';
import { jsonRpcError, type RefusalAnswer } from './refusals.js';

type BodyReadResult = { kind: 'complete'; body: Buffer } | { kind: 'too_large' } | { kind: 'aborted' };

/** The parsed body; or the answer refusing it (over the limit, not JSON); or nothing to answer (the client went away). */
type JsonBody = { kind: 'json'; message: unknown } | { kind: 'refused'; answer: RefusalAnswer } | { kind: 'aborted' };

/**
 * Reads and parses a JSON request body, holding at most `maxBytes` of it. A body over the limit is refused with
 * 413 (at warn) and `Connection: close`: its unread rest would otherwise have to be drained before the connection
 * could be reused. A body that is not JSON gets a JSON-RPC parse error (400, at info).
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const read = await readBodyWithinLimit(request, maxBytes);
  if (read.kind === 'aborted') return read;
  if (read.kind === 'too_large') {
    return {
      kind: 'refused',
      answer: {
        refusal: { status: 413, reason: `body over ${maxBytes} bytes`, level: 'warn' },
        body: jsonRpcError(-32000, `Payload Too Large: the request body must not exceed ${maxBytes} bytes`),
        headers: { Connection: 'close' },
      },
    };
  }
  try {
    return { kind: 'json', message: JSON.parse(read.body.toString('utf8')) };
  } catch {
    return {
      kind: 'refused',
      answer: { refusal: { status: 400, reason: 'body is not JSON' }, body: jsonRpcError(-32700, 'Parse error: Invalid JSON') },
    };
  }
}

/**
 * Reads a request body, holding at most `maxBytes` of it: a declared Content-Length over the limit is
 * refused before reading, and the read stops at the first chunk that crosses it. After `too_large` the
 * rest of the body is left unread; the caller answers and closes the connection.
 */
function readBodyWithinLimit(request: IncomingMessage, maxBytes: number): Promise<BodyReadResult> {
  if (Number(request.headers['content-length']) > maxBytes) return Promise.resolve({ kind: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: BodyReadResult) => {
      request.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        request.pause();
        finish({ kind: 'too_large' });
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => finish({ kind: 'complete', body: Buffer.concat(chunks, received) });
    const onAbort = () => finish({ kind: 'aborted' });
    request.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });
}
