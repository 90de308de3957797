import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
const HEAD_BYTES = 4096;

/**
 * Splits stdin into lines and passes on only those of at most `maxLineBytes`, one line per chunk. A longer
 * line is dropped as it streams by (only its first bytes are kept, to find its id): the MCP SDK's reader
 * closes the whole transport when its buffer overflows, so one oversized message would end the session.
 */
export class LineLimiter extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  private head: Buffer = Buffer.alloc(0);

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOversized: (head: string, bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      const contentBytes = this.pendingBytes + piece.length - (newline === -1 ? 0 : 1);
      if (!this.discarding && contentBytes > this.maxLineBytes) {
        this.discarding = true;
        this.head = Buffer.concat([...this.pending, piece]).subarray(0, HEAD_BYTES);
        this.pending = [];
      }
      if (this.discarding) this.pendingBytes = contentBytes;
      else {
        this.pending.push(piece);
        this.pendingBytes += piece.length;
      }
      if (newline !== -1) this.endLine();
      start = end;
    }
    done();
  }

  private endLine(): void {
    if (this.discarding) this.onOversized(this.head.toString('utf8'), this.pendingBytes);
    else this.push(this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
    this.head = Buffer.alloc(0);
  }
}

/** The id of a JSON-RPC request whose line starts `{"jsonrpc":"2.0","id":…` (how clients write them); undefined otherwise. */
export function leadingRequestId(head: string): string | number | undefined {
  const match =
    /^\s*\{\s*(?:"(?:jsonrpc|method)"\s*:\s*"[^"\\]{0,100}"\s*,\s*)*"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")\s*[,}]/.exec(head);
  if (!match?.[1]) return undefined;
  return JSON.parse(match[1]) as string | number;
}
