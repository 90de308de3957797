import type { JSONRPCMessage, JSONRPCRequest, JSONRPCResponse, Transport } from '@modelcontextprotocol/server';

/**
 * Connects a fresh MCP server to one HTTP request, in process: the request goes in, and its answer comes back as
 * the server wrote it, with no web-standard `Request`/`Response` around either.
 */
export class SingleExchangeTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** The versions the connected server speaks, given by `Server.connect`. */
  supportedProtocolVersions: readonly string[] = [];
  private settle: ((response: JSONRPCResponse | undefined) => void) | undefined;

  async start(): Promise<void> {}

  setSupportedProtocolVersions(versions: string[]): void {
    this.supportedProtocolVersions = versions;
  }

  /** The server's answer to `request`; undefined if the transport closed first (the client went away). */
  exchange(request: JSONRPCRequest): Promise<JSONRPCResponse | undefined> {
    return new Promise((resolve) => {
      this.settle = resolve;
      this.onmessage?.(request);
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    // Only the answer goes back: over stateless HTTP a request or notification to the client has no way to it (the
    // SDK's JSON-response transport drops them too).
    if ('method' in message) return;
    this.settle?.(message);
    this.settle = undefined;
  }

  async close(): Promise<void> {
    this.settle?.(undefined);
    this.settle = undefined;
    this.onclose?.();
  }
}
