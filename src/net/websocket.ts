/**
 * The message-level WebSocket interface the streams layer uses, and its error type.
 * Two implementations: RFC 6455 framing over a Node Duplex (websocket-node.ts, used with
 * the node transport's upgrade), and later the platform WebSocket (fetch transport).
 */

import { KubefluentError } from '../core/errors.js';

/** How a WebSocket ended. `clean` is false when the connection dropped without a close frame. */
export interface WsCloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly clean: boolean;
}

/** One WebSocket, binary messages only (what every Kubernetes streaming protocol uses). */
export interface WsConnection {
  /** The subprotocol the server chose (Sec-WebSocket-Protocol). */
  readonly protocol: string;
  /**
   * Sends one binary message made of `parts` (gathered, so a channel byte and its payload
   * need no concatenation first). Resolves once the bytes are handed to the socket, or later
   * when the socket is above its high-water mark: awaiting it is the backpressure.
   */
  send(...parts: readonly Uint8Array[]): Promise<void>;
  /**
   * Optional: `send` without a promise, for a sender of many small pieces (the port-forward
   * tunnel, one per local socket read). Returns false when the socket is above its high-water
   * mark: wait for `drained()` before more. Throws WebSocketError when closed. The node framing has it.
   */
  sendNow?(...parts: readonly Uint8Array[]): boolean;
  /** Optional: `sendNow` of `head` + `body` where the caller gives `body` up (masked in place, not copied). */
  sendOwned?(head: Uint8Array, body: Uint8Array): boolean;
  /** Resolves once the socket is below its high-water mark again (or gone). With `sendNow`. */
  drained?(): Promise<void>;
  /** Every message from the server, in order; ends at a close frame, throws WebSocketError on a dropped connection. Iterate once. */
  readonly messages: AsyncIterable<Uint8Array>;
  /**
   * Optional: the same messages, each as the pieces it arrived in (never empty pieces, never
   * an empty list), so a reader that only forwards bytes skips joining them. The node
   * framing has it: a 32 KiB exec message arrives in two or three TLS records, and joining
   * them cost a fifth of exec's CPU. Iterate either this or `messages`, once.
   */
  readonly messageParts?: AsyncIterable<readonly Uint8Array[]>;
  /** Starts the closing handshake (idempotent); the socket is destroyed if the server does not answer within a second. */
  close(code?: number, reason?: string): void;
  /** Destroys the connection at once (abort). */
  destroy(error?: Error): void;
  /** Settles when the underlying connection is gone; never rejects. */
  readonly closed: Promise<WsCloseInfo>;
}

/** The WebSocket broke: a protocol violation by the server (reason WebSocketProtocol) or a dropped connection (WebSocketClosed). */
export class WebSocketError extends KubefluentError {
  declare readonly reason: 'WebSocketProtocol' | 'WebSocketClosed' | 'WebSocketTooLarge';
  constructor(message: string, reason: 'WebSocketProtocol' | 'WebSocketClosed' | 'WebSocketTooLarge', options?: { cause?: unknown }) {
    super(message, reason, options);
    this.name = 'WebSocketError';
  }
}
