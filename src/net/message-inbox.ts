/**
 * The inbox both WebSocket implementations deliver messages into: the node framing
 * (websocket-node.ts, each message as the pieces it arrived in) and the platform WebSocket
 * (src/transport/fetch/platform-websocket.ts). Its own module, so a browser bundle that only
 * reads objects does not carry it: the portable build loads it with the platform WebSocket.
 */
import type { WebSocketError } from './websocket.js';

/**
 * Messages received and not yet read, for the one reader of `WsConnection.messages`.
 * `onTake` sees each message as the reader takes it (the node framing resumes its socket there).
 */
export class MessageInbox<T = Uint8Array> {
  readonly #queue: T[] = [];
  readonly #onTake: ((message: T) => void) | undefined;
  #wake: (() => void) | undefined;
  #end: { error?: WebSocketError } | undefined;
  #iterated = false;

  constructor(onTake?: (message: T) => void) {
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

  push(message: T): void {
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

  get messages(): AsyncIterable<T> {
    return { [Symbol.asyncIterator]: () => this.#read() };
  }

  async *#read(): AsyncGenerator<T> {
    if (this.#iterated) throw new Error('WsConnection.messages can be iterated once');
    this.#iterated = true;
    for (;;) {
      const m = this.#queue.shift();
      if (m !== undefined) {
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
