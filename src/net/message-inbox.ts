/**
 * The inbox the platform WebSocket (src/transport/fetch/platform-websocket.ts) delivers
 * messages into. Its own module, so a bundle that only reads objects does not carry it: the
 * portable build loads it with the platform WebSocket, on the first stream call.
 */
import type { WebSocketError } from './websocket.js';

/**
 * Messages received and not yet read, for the one reader of `WsConnection.messages`.
 * `onTake` sees each message as the reader takes it.
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
