import type { IncomingMessage } from 'node:http';

type BodyReadResult = { kind: 'complete'; body: Buffer } | { kind: 'too_large' } | { kind: 'aborted' };

/**
 * Reads a request body, holding at most `maxBytes` of it: a declared Content-Length over the limit is
 * refused before reading, and the read stops at the first chunk that crosses it. After `too_large` the
 * rest of the body is left unread; the caller answers and closes the connection.
 */
export function readBodyWithinLimit(request: IncomingMessage, maxBytes: number): Promise<BodyReadResult> {
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
