/**
 * Watcher health, observable: a snapshot on demand, listeners on every state change, or an
 * AsyncIterable of changes. Per-event counters (lastEventAt, events) are current in every
 * snapshot but do not notify by themselves, so a busy watch does not flood listeners.
 */
/** What the watcher is doing right now. */
export type WatcherState = 'idle' | 'listing' | 'watching' | 'backoff' | 'stopped';

/** How the initial state (and each relist) is fetched. */
export type InitialListMethod = 'stream' | 'list';

/** How a watcher is doing: connected, resyncing, failing, and since when. */
export interface WatcherHealth {
  readonly state: WatcherState;
  /** A complete initial state has been delivered (stays true across reconnects and relists). */
  readonly synced: boolean;
  /** Consecutive failures since the last progress: the watcher is retrying with backoff. */
  readonly degraded: boolean;
  /** The resourceVersion the next watch resumes from. */
  readonly resourceVersion: string | undefined;
  /** How the last list was done: a streaming list (sendInitialEvents) or a paged list. */
  readonly initialListMethod: InitialListMethod | undefined;
  /** false once the server turned the streaming list down; the watcher then pages. */
  readonly streamingListSupported: boolean | undefined;
  /** Last data from the server (any event, bookmarks included). */
  readonly lastEventAt: Date | undefined;
  readonly lastBookmarkAt: Date | undefined;
  /** When the last list (initial or relist) completed. */
  readonly lastSyncAt: Date | undefined;
  /** Watch requests opened after the first: server timeouts, drops, errors. */
  readonly reconnects: number;
  /** Complete lists after the first (410 Gone, expired continue tokens). */
  readonly relists: number;
  /** ADDED/MODIFIED/DELETED events received from watches. */
  readonly events: number;
  readonly bookmarks: number;
  readonly errors: number;
  readonly consecutiveErrors: number;
  readonly lastError: Error | undefined;
  readonly lastErrorAt: Date | undefined;
}

/** Called with the watcher's health when it changes. */
export type HealthListener = (health: WatcherHealth) => void;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The fields that change with state, not per event. */
type StateFields = Omit<WatcherHealth, 'events' | 'bookmarks' | 'resourceVersion' | 'lastEventAt' | 'lastBookmarkAt'>;

/** Holds the live health of one watcher and tells listeners about changes. */
export class HealthReporter {
  readonly #h: Mutable<StateFields> = {
    state: 'idle', synced: false, degraded: false, initialListMethod: undefined,
    streamingListSupported: undefined, lastSyncAt: undefined,
    reconnects: 0, relists: 0, errors: 0, consecutiveErrors: 0, lastError: undefined, lastErrorAt: undefined,
  };
  readonly #listeners = new Set<HealthListener>();
  /** Reports listener failures without letting them break the watcher. */
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  // Per-event fields live here, as plain numbers, and become Dates only in snapshots.
  #events = 0;
  #bookmarks = 0;
  #lastEventMs: number | undefined;
  #lastBookmarkMs: number | undefined;
  #rv: string | undefined;

  snapshot(): WatcherHealth {
    return Object.freeze({
      ...this.#h,
      degraded: this.#h.consecutiveErrors > 0,
      events: this.#events,
      bookmarks: this.#bookmarks,
      resourceVersion: this.#rv,
      lastEventAt: this.#lastEventMs === undefined ? undefined : new Date(this.#lastEventMs),
      lastBookmarkAt: this.#lastBookmarkMs === undefined ? undefined : new Date(this.#lastBookmarkMs),
    });
  }

  /** Data arrived (any event); `counted` for ADDED/MODIFIED/DELETED. */
  event(now: number, counted: boolean): void {
    this.#lastEventMs = now;
    if (counted) this.#events++;
  }

  bookmark(now: number, resourceVersion: string): void {
    this.#lastEventMs = now;
    this.#lastBookmarkMs = now;
    this.#bookmarks++;
    this.#rv = resourceVersion;
  }

  resourceVersion(rv: string | undefined): void {
    this.#rv = rv;
  }

  /** Changes fields and notifies listeners. */
  update(patch: Partial<Mutable<StateFields>>): void {
    Object.assign(this.#h, patch);
    if (this.#listeners.size === 0) return;
    const snap = this.snapshot();
    for (const l of this.#listeners) {
      try {
        l(snap);
      } catch (e) {
        this.#onListenerError(e);
      }
    }
  }

  get current(): Readonly<StateFields> {
    return this.#h;
  }

  subscribe(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Every change as an AsyncIterable, starting with the current snapshot. Ends when `signal`
   * fires or the watcher stops. A slow reader sees the latest snapshot, never a backlog.
   */
  async *changes(signal?: AbortSignal): AsyncGenerator<WatcherHealth, void, undefined> {
    let latest: WatcherHealth | undefined = this.snapshot();
    let wake: (() => void) | undefined;
    const unsubscribe = this.subscribe((h) => {
      latest = h;
      wake?.();
    });
    const onAbort = (): void => wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted) return;
        if (latest === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        const h: WatcherHealth = latest;
        latest = undefined;
        yield h;
        if (h.state === 'stopped') return;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
