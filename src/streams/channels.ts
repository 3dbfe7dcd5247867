/**
 * The Kubernetes channel protocols over one WebSocket: every message starts with a channel
 * byte (exec: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds 255 = close a
 * channel; port-forward: 2n data and 2n+1 error for the n-th port, each opening with the
 * port number as two little-endian bytes). Here: inbound channels as AsyncIterables with
 * backpressure, and the loop that routes messages to them.
 */
import { concatBytes } from '../core/bytes.js';
import type { WsConnection } from '../net/websocket.js';

const DEFAULT_HIGH_WATER = 1 << 20;

/** Bytes of one inbound channel. Iterate once; breaking out discards the rest of the channel. */
export class InboundChannel implements AsyncIterable<Uint8Array> {
  readonly #queue: Uint8Array[] = [];
  readonly #highWater: number;
  #bytes = 0;
  #end: { error?: Error } | undefined;
  #wake: (() => void) | undefined;
  #drained: (() => void) | undefined;
  #iterated = false;
  #discarded = false;
  /** Bytes to drop at the start (port-forward's port prefix). */
  #skip: number;

  constructor(options: { highWaterMark?: number; skipBytes?: number } = {}) {
    this.#highWater = options.highWaterMark ?? DEFAULT_HIGH_WATER;
    this.#skip = options.skipBytes ?? 0;
  }

  /** Whether the channel has ended (normally or with an error). */
  get ended(): boolean {
    return this.#end !== undefined;
  }

  push(chunk: Uint8Array): void {
    if (this.#end || this.#discarded) return;
    if (this.#skip > 0) {
      const k = Math.min(this.#skip, chunk.length);
      this.#skip -= k;
      chunk = chunk.subarray(k);
    }
    if (chunk.length === 0) return;
    this.#queue.push(chunk);
    this.#bytes += chunk.length;
    this.#wakeUp();
  }

  end(error?: Error): void {
    if (this.#end) return;
    this.#end = error ? { error } : {};
    this.#wakeUp();
    this.#release();
  }

  /** Resolves when the reader has taken enough that the producer may continue. */
  async drained(): Promise<void> {
    while (this.#bytes > this.#highWater && !this.#end && !this.#discarded) {
      await new Promise<void>((r) => (this.#drained = r));
    }
  }

  get full(): boolean {
    return this.#bytes > this.#highWater && !this.#discarded;
  }

  #wakeUp(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  #release(): void {
    const d = this.#drained;
    this.#drained = undefined;
    d?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#iterated) throw new Error('this stream can be iterated once');
    this.#iterated = true;
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          const chunk = this.#queue.shift();
          if (chunk) {
            this.#bytes -= chunk.length;
            if (this.#bytes <= this.#highWater) this.#release();
            return { value: chunk, done: false };
          }
          if (this.#end) {
            if (this.#end.error) throw this.#end.error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((r) => (this.#wake = r));
        }
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        this.#discarded = true;
        this.#queue.length = 0;
        this.#bytes = 0;
        this.#release();
        return { value: undefined, done: true };
      },
    };
  }

  /** Everything until the end, as one buffer. */
  async collect(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const c of this) parts.push(c);
    return concatBytes(parts);
  }
}

/**
 * Reads every message of `ws` and hands its payload to the channel its first byte names
 * (unknown channels are ignored). Resolves when the WebSocket ends; rejects with its error.
 * Waits while a channel is above its high-water mark, so a slow reader slows the socket.
 */
export async function routeMessages(ws: WsConnection, channels: ReadonlyMap<number, InboundChannel>): Promise<void> {
  if (ws.messageParts) {
    // Pieces as they arrived: the channel byte leads the first, the rest go on unjoined.
    for await (const parts of ws.messageParts) {
      const first = parts[0] as Uint8Array;
      if (first.length === 0) continue;
      const channel = channels.get(first[0] as number);
      if (!channel) continue;
      channel.push(first.subarray(1));
      for (let i = 1; i < parts.length; i++) channel.push(parts[i] as Uint8Array);
      if (channel.full) await channel.drained();
    }
    return;
  }
  for await (const message of ws.messages) {
    if (message.length === 0) continue;
    const channel = channels.get(message[0] as number);
    if (!channel) continue;
    channel.push(message.subarray(1));
    if (channel.full) await channel.drained();
  }
}

/** One outbound message: the channel byte, then the data. */
export function channelMessage(channel: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + data.length);
  out[0] = channel;
  out.set(data, 1);
  return out;
}
