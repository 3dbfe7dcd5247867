/**
 * The resilient watcher: a small state machine over list and watch (kube-rs's watcher is
 * the model). It fetches the initial state by a streaming list (sendInitialEvents) or,
 * where the server does not offer one, a paged list; resumes from the last
 * resourceVersion after any disconnect; relists on 410 Gone and emits only the
 * difference; backs off with jitter on errors, which come out as values. It never stops
 * by itself: only its AbortSignal (or the consumer leaving the loop) ends it.
 */
import { type Clock, systemClock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { linkSignals } from '../core/signals.js';
import { sleep } from '../core/sleep.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { CacheDiff, type WatcherCache, type WatcherEvent } from './cache-diff.js';
import { HealthReporter, type HealthListener, type WatcherHealth } from './health.js';
import type { KubeList } from '../client/types.js';
import type { WatchEvent } from '../client/watch.js';
import type { ListerWatcher, WatchRequest } from './lister-watcher.js';
import { type HasMetadata, resourceVersionOf } from './object-meta.js';
import { type InitialListMode, initialMachine, step, StreamingListError, type WatcherMachine } from './watcher-state.js';

/** The annotation on the bookmark that ends the initial events of a streaming list. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

export type { WatcherEvent, WatcherEventType, WatcherCache } from './cache-diff.js';
export { StreamingListError } from './watcher-state.js';
export type { InitialListMode, WatchPhase, WatcherMachine, AttemptOutcome } from './watcher-state.js';

/** Options of a watcher. */
export interface WatcherOptions<T> {
  /** The only way to stop the watcher (besides leaving the for-await loop). */
  readonly signal?: AbortSignal;
  readonly initialList?: InitialListMode;
  /** Page size of paged lists; default 500. */
  readonly pageSize?: number;
  /** Server-side timeout of each watch request; default a random 300–600 s, as client-go does. */
  readonly timeoutSeconds?: number | (() => number);
  /** Passed to the low-level watch: how long without data (bookmarks included) before reconnecting. */
  readonly inactivityTimeoutMs?: number | false;
  readonly backoff?: BackoffOptions;
  /** The cache to keep; default a new Map. An informer passes its indexed store. */
  readonly cache?: WatcherCache<T>;
  /**
   * Applied to every object before it is cached or emitted, to keep only what is needed
   * (e.g. {@link stripManagedFields}: often half of an object's size). Must keep metadata.
   */
  readonly transform?: (object: T) => T;
  /** Drives the reconnect backoff (and how long an attempt lived); default the source's clock, else the system clock. */
  readonly clock?: Clock;
}

/** A transform that drops metadata.managedFields (server-side apply bookkeeping) from cached objects. */
export function stripManagedFields<T extends HasMetadata>(object: T): T {
  const m = object.metadata as { managedFields?: unknown } | undefined;
  if (m !== undefined && m.managedFields !== undefined) delete m.managedFields;
  return object;
}

/**
 * A resilient watch over a {@link ListerWatcher}. Iterate it once (`for await`); read
 * `health`, or subscribe with `onHealth` / `healthChanges()`.
 *
 * @example
 * const w = watcher(resourceSource<ConfigMap>(transport, resources['v1/configmaps']), { signal });
 * for await (const e of w) if (e.type === 'MODIFIED') console.log(e.old.data, '→', e.object.data);
 */
export class Watcher<T extends HasMetadata> implements AsyncIterable<WatcherEvent<T>> {
  readonly #lw: ListerWatcher<T>;
  readonly #options: WatcherOptions<T>;
  readonly #mode: InitialListMode;
  readonly #diff: CacheDiff<T>;
  readonly #health = new HealthReporter();
  readonly #backoff: Backoff;
  readonly #transform: ((object: T) => T) | undefined;
  readonly #clock: Clock;
  #started = false;
  /** The state between attempts (see watcher-state.ts). */
  #machine: WatcherMachine;
  // What the current attempt has done so far; becomes its AttemptOutcome when it ends.
  #rv: string | undefined;
  #progress = false;
  #listed = false;
  #inInitialStream = false;
  #watches = 0;
  #lists = 0;
  /** The server-side timeout the last watch asked for. */
  #requestedTimeoutS: number | undefined;

  constructor(lw: ListerWatcher<T>, options: WatcherOptions<T> = {}) {
    this.#lw = lw;
    this.#options = options;
    this.#mode = options.initialList ?? 'auto';
    this.#diff = new CacheDiff(options.cache ?? new Map<string, T>());
    this.#backoff = new Backoff(options.backoff);
    this.#transform = options.transform;
    this.#clock = options.clock ?? lw.clock ?? systemClock;
    this.#machine = initialMachine(this.#mode);
  }

  /** The clock the reconnect backoff waits on. */
  get clock(): Clock {
    return this.#clock;
  }

  /** A snapshot of the watcher's health now. */
  get health(): WatcherHealth {
    return this.#health.snapshot();
  }

  /** The state machine's current state: the next phase, and the delay before it. */
  get machine(): WatcherMachine {
    return this.#machine;
  }

  /** Calls `listener` on every state change (listing, watching, backoff, synced, error, stopped). */
  onHealth(listener: HealthListener): () => void {
    return this.#health.subscribe(listener);
  }

  /** Health changes as an AsyncIterable, starting with the current state; ends when the watcher stops. */
  healthChanges(signal?: AbortSignal): AsyncIterable<WatcherHealth> {
    return this.#health.changes(signal);
  }

  /** The events, as an async iterable. */
  [Symbol.asyncIterator](): AsyncIterator<WatcherEvent<T>> {
    if (this.#started) throw new UsageError('a watcher can be iterated once; share it through an informer instead');
    this.#started = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<WatcherEvent<T>, void, undefined> {
    // Not AbortSignal.any: on Node 20 its result is held weakly and an abort can get lost.
    const local = linkSignals(this.#options.signal);
    const signal = local.signal;
    try {
      while (!signal.aborted) {
        const phase = this.#machine.phase;
        const startedAt = this.#clock.now();
        this.#progress = false;
        this.#listed = false;
        this.#inInitialStream = false;
        this.#rv = phase.kind === 'watch' ? phase.resourceVersion : undefined;
        this.#requestedTimeoutS = undefined;
        let error: unknown;
        try {
          if (phase.kind === 'list' && phase.method === 'list') yield* this.#pagedList(signal);
          yield* this.#watch(signal, phase.kind === 'list' && !this.#listed);
          // A streaming list that the server ends before its initial-events-end bookmark
          // was not understood (a server that honours it sends the bookmark first).
          if (this.#inInitialStream && this.#mode === 'auto') {
            throw new StreamingListError('the server ended a streaming list before its initial-events-end bookmark');
          }
        } catch (e) {
          error = e;
        }
        if (signal.aborted) return;
        if (this.#diff.listing) this.#diff.abandonList();
        const before = this.#machine;
        this.#machine = step(before, {
          livedMs: this.#clock.now() - startedAt, progress: this.#progress, listed: this.#listed,
          resourceVersion: this.#rv, inInitialStream: this.#inInitialStream, error,
          ...(this.#requestedTimeoutS !== undefined ? { healthyAfterMs: Math.min(this.#backoff.healthyAfterMs, this.#requestedTimeoutS * 900) } : {}),
        }, this.#mode, this.#backoff);
        const next = this.#machine;
        if (before.streamingList && !next.streamingList) this.#health.update({ streamingListSupported: false });
        if (next.phase.kind === 'list' && before.phase.kind === 'watch') this.#health.resourceVersion(undefined);
        if (next.error !== undefined) {
          const h = this.#health.current;
          this.#health.update({ state: 'backoff', errors: h.errors + 1, consecutiveErrors: h.consecutiveErrors + 1, lastError: next.error, lastErrorAt: new Date() });
          yield { type: 'ERROR', error: next.error, retryInMs: next.delayMs };
        } else if (next.delayMs > 0) {
          this.#health.update({ state: 'backoff' });
        }
        if (next.delayMs === 0) continue;
        try {
          await sleep(next.delayMs, signal, this.#clock);
        } catch {
          return;
        }
      }
    } finally {
      local.abort();
      local.dispose();
      this.#health.update({ state: 'stopped' });
    }
  }

  /** The initial state (or a relist) by pages, diffed against the cache. */
  async *#pagedList(signal: AbortSignal): AsyncGenerator<WatcherEvent<T>, void, undefined> {
    this.#health.update({ state: 'listing', initialListMethod: 'list' });
    this.#diff.beginList();
    let token: string | undefined;
    let rv = '';
    const limit = this.#options.pageSize ?? 500;
    // The next page is asked for as soon as this one's continue token is known, so the server
    // prepares it while this one is cached and handled.
    let next: Promise<KubeList<T>> | undefined = this.#lw.list({ limit }, signal);
    do {
      const page: KubeList<T> = await (next as Promise<KubeList<T>>);
      next = undefined;
      this.#progress = true;
      token = page.metadata.continue || undefined;
      if (token !== undefined) {
        next = this.#lw.list({ limit, continue: token }, signal);
        // Observed when awaited; until then (or if the consumer leaves first) not unhandled.
        next.catch(() => undefined);
      }
      // List items come without kind/apiVersion; give them the ones watch events carry.
      const kind = page.kind?.endsWith('List') ? page.kind.slice(0, -4) : undefined;
      for (const listed of page.items) {
        const item = this.#transform ? this.#transform(listed) : listed;
        const o = item as { kind?: string; apiVersion?: string };
        if (kind !== undefined && o.kind === undefined) {
          o.kind = kind;
          if (page.apiVersion !== undefined) o.apiVersion = page.apiVersion;
        }
        for (const e of this.#diff.upsert(item)) yield e;
      }
      rv = page.metadata.resourceVersion ?? rv;
    } while (token !== undefined);
    yield* this.#finishList(rv);
  }

  /** Everything in the cache that the list did not return was deleted meanwhile. */
  *#finishList(rv: string): Generator<WatcherEvent<T>, void, undefined> {
    yield* this.#diff.finishList();
    this.#rv = rv;
    this.#listed = true;
    this.#inInitialStream = false;
    this.#lists++;
    const initial = !this.#health.current.synced;
    this.#health.resourceVersion(rv);
    this.#health.update({
      state: 'watching', synced: true, lastSyncAt: new Date(), relists: this.#lists - 1,
      consecutiveErrors: 0, ...(this.#machine.streamingList ? { streamingListSupported: true } : {}),
    });
    yield { type: 'SYNCED', resourceVersion: rv, initial };
  }

  /** One watch request: live events from #rv, or (initial) a streaming list that then goes live. */
  async *#watch(signal: AbortSignal, initial: boolean): AsyncGenerator<WatcherEvent<T>, void, undefined> {
    const timeout = this.#options.timeoutSeconds;
    const timeoutSeconds = typeof timeout === 'function' ? timeout() : timeout ?? Math.floor(300 + Math.random() * 300);
    this.#requestedTimeoutS = timeoutSeconds;
    const request: WatchRequest = {
      allowWatchBookmarks: true,
      timeoutSeconds,
      ...(initial ? { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } : { resourceVersion: this.#rv }),
      ...(this.#options.inactivityTimeoutMs !== undefined ? { inactivityTimeoutMs: this.#options.inactivityTimeoutMs } : {}),
    };
    const opened = this.#watches++;
    this.#inInitialStream = initial;
    if (initial) this.#diff.beginList();
    this.#health.update({ state: initial ? 'listing' : 'watching', reconnects: Math.max(0, opened), ...(initial ? { initialListMethod: 'stream' } : {}) });
    let streaming = initial;
    const h = this.#health;
    // Iterated by hand rather than with for-await, so that an abort ends the watch at once
    // even if the stream never notices it (a lost fetch abort), without an extra generator layer.
    const it = this.#lw.watch(request, signal)[Symbol.asyncIterator]();
    // Each wait gets its own promise that the abort can settle; racing against one shared
    // abort promise instead would pile up a reaction per event for the life of the watch.
    let wake: ((r: IteratorResult<WatchEvent<T>>) => void) | undefined;
    const onAbort = (): void => wake?.({ done: true, value: undefined });
    signal.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      for (;;) {
        const r = signal.aborted
          ? { done: true as const, value: undefined }
          : await new Promise<IteratorResult<WatchEvent<T>>>((resolve, reject) => {
            wake = resolve;
            it.next().then(resolve, reject);
          });
        wake = undefined;
        if (r.done) {
          finished = !signal.aborted;
          return;
        }
        const event = r.value;
        this.#progress = true;
        const now = Date.now();
        if (event.type === 'BOOKMARK') {
          const rv = event.object.metadata.resourceVersion;
          if (streaming) {
            if (event.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== 'true') {
              throw new StreamingListError('the server sent a bookmark without k8s.io/initial-events-end during a streaming list: it does not support sendInitialEvents');
            }
            h.event(now, false);
            yield* this.#finishList(rv);
            streaming = false;
            continue;
          }
          this.#rv = rv;
          h.bookmark(now, rv);
          this.#resetErrors();
          yield { type: 'BOOKMARK', resourceVersion: rv };
          continue;
        }
        h.event(now, true);
        const object = this.#transform ? this.#transform(event.object) : event.object;
        if (streaming) {
          if (event.type !== 'ADDED') throw new StreamingListError(`the server sent ${event.type} during the initial events of a streaming list: it does not support sendInitialEvents`);
          for (const e of this.#diff.upsert(object)) yield e;
          continue;
        }
        const rv = resourceVersionOf(object);
        if (rv !== undefined) {
          this.#rv = rv;
          h.resourceVersion(rv);
        }
        this.#resetErrors();
        const out = event.type === 'DELETED' ? this.#diff.remove(object) : this.#diff.upsert(object);
        for (const e of out) yield e;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Closing a stream that is still busy only queues the close; never wait for it here.
      if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }

  /**
   * Data arrived: the watch is working again, as health shows. The reconnect delay is not
   * reset here: only a stream that stays open for a while resets it (issue 12: a server that
   * sends one bookmark per connection must not be redialled at once).
   */
  #resetErrors(): void {
    if (this.#health.current.consecutiveErrors > 0) this.#health.update({ consecutiveErrors: 0, state: 'watching' });
  }
}

/** A resilient watcher over `source`; see {@link Watcher}. */
export function watcher<T extends HasMetadata>(source: ListerWatcher<T>, options: WatcherOptions<T> = {}): Watcher<T> {
  return new Watcher(source, options);
}
