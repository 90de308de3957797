import { describe, expect, it } from 'vitest';
import { LineLimiter, leadingRequestId } from '../src/transports/line-limiter.js';

function feed(maxLineBytes: number, chunks: string[]): { lines: string[]; oversized: [string, number][] } {
  const lines: string[] = [];
  const oversized: [string, number][] = [];
  const limiter = new LineLimiter(maxLineBytes, (head, bytes) => oversized.push([head, bytes]));
  limiter.on('data', (line: Buffer) => lines.push(line.toString('utf8')));
  for (const chunk of chunks) limiter.write(Buffer.from(chunk));
  return { lines, oversized };
}

describe('LineLimiter', () => {
  it('passes lines within the limit one per chunk, however the input is split', () => {
    expect(feed(10, ['a', 'b\ncd\n', 'e', 'f', '\n']).lines).toEqual(['ab\n', 'cd\n', 'ef\n']);
  });

  it('drops a longer line whole, reporting its size and first bytes, and goes on with the next', () => {
    const { lines, oversized } = feed(10, ['{"id":7,', '"x":"', 'y'.repeat(30), '"}\nok\n']);
    expect(lines).toEqual(['ok\n']);
    expect(oversized).toEqual([['{"id":7,"x":"', 45]]);
  });

  it('accepts a line of exactly the limit', () => {
    expect(feed(5, ['12345\n123456\n'])).toEqual({ lines: ['12345\n'], oversized: [['123456\n', 6]] });
  });
});

describe('leadingRequestId', () => {
  it.each([
    ['{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{', 3],
    ['{"jsonrpc":"2.0","id":"a-1","method":"x"', 'a-1'],
    [' { "id" : -4 }', -4],
    ['{"jsonrpc":"2.0","method":"tools/call","params":{"id":3', undefined],
    ['{"jsonrpc":"2.0","method":"x","id":{"no":1}', undefined],
    ['not json', undefined],
  ])('%s → %s', (head, id) => {
    expect(leadingRequestId(head)).toBe(id);
  });
});
