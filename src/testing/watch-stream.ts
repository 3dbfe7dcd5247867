/**
 * One open watch on the fake server: a queue of newline-delimited JSON events read through
 * an AsyncIterable of bytes, exactly what the node:http transport hands the client.
 */
import { type Clock, systemClock } from '../core/clock.js';
import type { KubeStatus } from '../core/errors.js';
import type { Json } from './patches.js';

const encoder = new TextEncoder();

export type WatchFilter = (obj: Json) => boolean;

/** How often a watch that allows bookmarks gets one (the API server's watch cache: about every minute). */
const BOOKMARK_EVERY_MS = 60_000;

/** A watch the fake server answers with: read {@link FakeWatch.body} as the response body; {@link FakeWatch.end} closes it. */
export class FakeWatch {
  readonly #lines: string[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #timer: unknown;
  #bookmarkTimer: unknown;
  readonly #clock: Clock;
  readonly #onClose: (w: FakeWatch) => void;
  /** The resource (group/plural), namespace (undefined: all) and selector this watch serves. */
  readonly resource: string;
  readonly namespace: string | undefined;
  /** @internal Which objects' events this watch gets. */
  readonly matches: WatchFilter;
  readonly bookmarks: boolean;
  /** Latest resourceVersion sent (for bookmarks). */
  lastRv = '0';

  /** @internal The server opens watches; `timeoutSeconds` counts on the server's clock. */
  constructor(resource: string, namespace: string | undefined, matches: WatchFilter, bookmarks: boolean, timeoutSeconds: number | undefined, onClose: (w: FakeWatch) => void, clock: Clock = systemClock) {
    this.resource = resource;
    this.namespace = namespace;
    this.matches = matches;
    this.bookmarks = bookmarks;
    this.#onClose = onClose;
    this.#clock = clock;
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      this.#timer = clock.setTimeout(() => this.end(), timeoutSeconds * 1000);
      // An open watch alone does not keep a test process alive (real and fake timers both have unref).
      (this.#timer as { unref?: () => void }).unref?.();
    }
    if (bookmarks) this.#scheduleBookmark();
  }

  /** As the API server's watch cache does: a bookmark about every minute (of the server's clock) to a watch that asked for them. */
  #scheduleBookmark(): void {
    this.#bookmarkTimer = this.#clock.setTimeout(() => {
      if (this.#ended) return;
      this.bookmark(this.lastRv);
      this.#scheduleBookmark();
    }, BOOKMARK_EVERY_MS);
    (this.#bookmarkTimer as { unref?: () => void }).unref?.();
  }

  /** true once the stream ended (by either side, an error event or its timeout). */
  get ended(): boolean {
    return this.#ended;
  }

  /** @internal Queues one watch event (the server fans writes out to its watches). */
  send(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: Json, rv: string): void {
    if (this.#ended) return;
    this.lastRv = rv;
    this.#push(JSON.stringify({ type, object }));
  }

  /** @internal Queues a BOOKMARK at `rv` (e.g. the end of a streaming list's initial events). */
  bookmark(rv: string, annotations?: Record<string, string>): void {
    if (this.#ended) return;
    this.lastRv = rv;
    this.#push(JSON.stringify({ type: 'BOOKMARK', object: { kind: '', apiVersion: '', metadata: { resourceVersion: rv, ...(annotations ? { annotations } : {}) } } }));
  }

  /** Sends an ERROR event (e.g. 410 Expired) and ends the watch, as the server does. */
  fail(status: KubeStatus): void {
    if (this.#ended) return;
    this.#push(JSON.stringify({ type: 'ERROR', object: status }));
    this.end();
  }

  #push(line: string): void {
    this.#lines.push(line);
    this.#wake?.();
  }

  /** Ends the stream cleanly (the client sees the end of the response). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#bookmarkTimer !== undefined) this.#clock.clearTimeout(this.#bookmarkTimer);
    this.#onClose(this);
    this.#wake?.();
  }

  /** The response body: newline-delimited JSON events, as bytes, until the watch ends. */
  async *body(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (;;) {
        if (this.#lines.length > 0) {
          // Everything queued goes in one chunk, as a busy server's writes coalesce.
          const chunk = `${this.#lines.join('\n')}\n`;
          this.#lines.length = 0;
          yield encoder.encode(chunk);
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      this.end();
    }
  }
}
