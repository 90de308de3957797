import type { JSONRPCMessage, JSONRPCRequest, JSONRPCResponse, RequestId, Transport } from '@modelcontextprotocol/server';

type Answer = (response: JSONRPCResponse) => void;

/**
 * An in-process transport between HTTP requests and one connected MCP server, with no web-standard
 * `Request`/`Response` around either side. Each request enters under an id of its own, so requests that reuse an id
 * (every bench client sends id 1) never meet in the server's tables when they share a server, and its answer leaves
 * under the caller's id again.
 */
export class RequestMultiplexer implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** The versions the connected server speaks, given by `Server.connect`. */
  supportedProtocolVersions: readonly string[] = [];
  private lastId = 0;
  private readonly waiting = new Map<number, { callerId: RequestId; answer: Answer }>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.waiting.clear();
    this.onclose?.();
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.supportedProtocolVersions = versions;
  }

  /**
   * Hands `request` to the server; `answer` gets the server's response under the caller's id. Returns the
   * cancellation (a no-op once answered): the server aborts the request's handler, which then answers nothing.
   */
  exchange(request: JSONRPCRequest, answer: Answer): () => void {
    const id = ++this.lastId;
    this.waiting.set(id, { callerId: request.id, answer });
    this.onmessage?.({ ...request, id });
    return () => {
      if (!this.waiting.delete(id)) return;
      // The SDK's own way to abort one request's handler on a connection that carries others.
      this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'Connection closed' } });
    };
  }

  async send(message: JSONRPCMessage): Promise<void> {
    // Only answers go back: over stateless HTTP a request or notification to the client has no way to it (the SDK's
    // JSON-response transport drops them too).
    if ('method' in message || typeof message.id !== 'number') return;
    const waiting = this.waiting.get(message.id);
    if (waiting === undefined) return;
    this.waiting.delete(message.id);
    // The keys in the order the server wrote them: only the id is the caller's again.
    waiting.answer({ ...message, id: waiting.callerId });
  }
}
