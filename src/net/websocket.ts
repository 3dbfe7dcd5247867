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
  /** Every message from the server, in order; ends at a close frame, throws WebSocketError on a dropped connection. Iterate once. */
  readonly messages: AsyncIterable<Uint8Array>;
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

/**
 * Messages received and not yet read, for the one reader of `WsConnection.messages`: the
 * queue both implementations deliver into. `onTake` sees each message as the reader takes
 * it (the node framing resumes its socket there).
 */
export class MessageInbox {
  readonly #queue: Uint8Array[] = [];
  readonly #onTake: ((message: Uint8Array) => void) | undefined;
  #wake: (() => void) | undefined;
  #end: { error?: WebSocketError } | undefined;
  #iterated = false;

  constructor(onTake?: (message: Uint8Array) => void) {
    this.#onTake = onTake;
  }

  /** Whether the messages have ended (cleanly or with an error). */
  get ended(): boolean {
    return this.#end !== undefined;
  }

  /** The error the messages ended with, if any. */
  get error(): WebSocketError | undefined {
    return this.#end?.error;
  }

  push(message: Uint8Array): void {
    this.#queue.push(message);
    this.#wakeReader();
  }

  /** Ends the messages (the first call wins); false when they had ended already. */
  finish(error: WebSocketError | undefined): boolean {
    if (this.#end) return false;
    this.#end = error ? { error } : {};
    this.#wakeReader();
    return true;
  }

  get messages(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this.#read() };
  }

  async *#read(): AsyncGenerator<Uint8Array> {
    if (this.#iterated) throw new Error('WsConnection.messages can be iterated once');
    this.#iterated = true;
    for (;;) {
      const m = this.#queue.shift();
      if (m) {
        this.#onTake?.(m);
        yield m;
        continue;
      }
      if (this.#end) {
        if (this.#end.error) throw this.#end.error;
        return;
      }
      await new Promise<void>((r) => (this.#wake = r));
    }
  }

  #wakeReader(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
}
