/**
 * The resilient watcher: a small state machine over list and watch (kube-rs's watcher is
 * the model). It fetches the initial state by a streaming list (sendInitialEvents) or,
 * where the server does not offer one, a paged list; resumes from the last
 * resourceVersion after any disconnect; relists on 410 Gone and emits only the
 * difference; backs off with jitter on errors, which come out as values. It never stops
 * by itself: only its AbortSignal (or the consumer leaving the loop) ends it.
 */
import { GoneError, KubeError, brand, KubefluentError, UsageError } from '../core/errors.js';
import { linkSignals } from '../core/signals.js';
import { sleep } from '../core/sleep.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { HealthReporter, type HealthListener, type WatcherHealth } from './health.js';
import type { KubeList } from '../client/types.js';
import type { WatchEvent } from '../client/watch.js';
import type { ListerWatcher, WatchRequest } from './lister-watcher.js';
import { type HasMetadata, objectKey, resourceVersionOf, uidOf } from './object-meta.js';

/** The annotation on the bookmark that ends the initial events of a streaming list. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/** What a watcher emits. MODIFIED carries the old object; errors are values, not the end. */
export type WatcherEvent<T> =
  | { readonly type: 'ADDED'; readonly object: T }
  | { readonly type: 'MODIFIED'; readonly object: T; readonly old: T }
  /**
   * `object` is the final state from the server, or, with `finalStateUnknown`, the last
   * state the watcher knew: the object vanished while the watcher was not looking (relist).
   */
  | { readonly type: 'DELETED'; readonly object: T; readonly finalStateUnknown: boolean }
  /** The cache now matches the server at `resourceVersion` (after the first list, and after every relist). */
  | { readonly type: 'SYNCED'; readonly resourceVersion: string; readonly initial: boolean }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string }
  /** A failed list or watch; the watcher tries again after `retryInMs`. */
  | { readonly type: 'ERROR'; readonly error: Error; readonly retryInMs: number };

export type WatcherEventType = WatcherEvent<unknown>['type'];

/** Where the watcher keeps what it knows, to tell ADDED from MODIFIED and to diff relists. A Map fits. */
export interface WatcherCache<T> {
  get(key: string): T | undefined;
  set(key: string, object: T): unknown;
  delete(key: string): boolean;
  keys(): Iterable<string>;
  readonly size: number;
}

/**
 * How the initial state is fetched. 'auto' (default): a streaming list, falling back to a
 * paged list for good when the server turns it down. 'stream' never falls back; 'list' never streams.
 */
export type InitialListMode = 'auto' | 'stream' | 'list';

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
}

/** A transform that drops metadata.managedFields (server-side apply bookkeeping) from cached objects. */
export function stripManagedFields<T extends HasMetadata>(object: T): T {
  const m = object.metadata as { managedFields?: unknown } | undefined;
  if (m !== undefined && m.managedFields !== undefined) delete m.managedFields;
  return object;
}

/** The server ignored or refused the streaming list (reason StreamingListUnsupported). */
export class StreamingListError extends KubefluentError {
  static { brand(this, 'StreamingListError'); }
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'StreamingListUnsupported', options);
    this.name = 'StreamingListError';
  }
}

/** Errors that mean "this server does not do streaming lists" (old server, feature gate off). */
function refusesStreamingList(error: unknown): boolean {
  if (error instanceof StreamingListError) return true;
  if (!(error instanceof KubeError) || error instanceof GoneError) return false;
  return error.code === 400 || error.code === 422 || error.code === 415 || error.code === 501;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

const EMPTY: readonly never[] = [];

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
  readonly #cache: WatcherCache<T>;
  readonly #health = new HealthReporter();
  readonly #backoff: Backoff;
  readonly #transform: ((object: T) => T) | undefined;
  #started = false;
  #rv: string | undefined;
  /** The cache holds a complete state at #rv: a plain watch can resume. */
  #listed = false;
  #stream: boolean;
  #watches = 0;
  #lists = 0;
  /** The current attempt received data (so its failure is not the server refusing it). */
  #progress = false;
  #inInitialStream = false;
  /** 410s since the last complete list. */
  #gone = 0;

  constructor(lw: ListerWatcher<T>, options: WatcherOptions<T> = {}) {
    this.#lw = lw;
    this.#options = options;
    this.#cache = options.cache ?? new Map<string, T>();
    this.#backoff = new Backoff(options.backoff);
    this.#transform = options.transform;
    this.#stream = (options.initialList ?? 'auto') !== 'list';
  }

  /** A snapshot of the watcher's health now. */
  get health(): WatcherHealth {
    return this.#health.snapshot();
  }

  /** Calls `listener` on every state change (listing, watching, backoff, synced, error, stopped). */
  onHealth(listener: HealthListener): () => void {
    return this.#health.subscribe(listener);
  }

  /** Health changes as an AsyncIterable, starting with the current state; ends when the watcher stops. */
  healthChanges(signal?: AbortSignal): AsyncIterable<WatcherHealth> {
    return this.#health.changes(signal);
  }

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
        let error: unknown;
        let ended = false;
        const startedAt = Date.now();
        this.#progress = false;
        this.#inInitialStream = false;
        try {
          if (!this.#listed && !this.#stream) yield* this.#pagedList(signal);
          yield* this.#watch(signal, !this.#listed);
          // A streaming list that the server ends before its initial-events-end bookmark
          // was not understood (a server that honours it sends the bookmark first).
          if (this.#inInitialStream && (this.#options.initialList ?? 'auto') === 'auto') {
            throw new StreamingListError('the server ended a streaming list before its initial-events-end bookmark');
          }
          ended = true;
        } catch (e) {
          error = e;
        }
        if (signal.aborted) return;
        let delay = 0;
        if (ended) {
          // The server closed the watch (timeoutSeconds): resume at once, unless it keeps
          // closing before anything arrives, which would be a hot loop.
          if (this.#progress || Date.now() - startedAt >= 1000) continue;
          delay = this.#backoff.next();
        } else if (this.#inInitialStream && (this.#options.initialList ?? 'auto') === 'auto'
          && (error instanceof StreamingListError || (!this.#progress && refusesStreamingList(error)))) {
          this.#stream = false;
          this.#health.update({ streamingListSupported: false });
          continue;
        } else if (error instanceof GoneError) {
          // Our resourceVersion is too old (etcd compacted) or a continue token expired:
          // relist at once and emit the difference; only a 410 that repeats before the
          // relist completes waits.
          this.#listed = false;
          this.#rv = undefined;
          this.#health.resourceVersion(undefined);
          if (this.#gone++ === 0) continue;
          delay = this.#backoff.next(error);
        } else {
          delay = this.#backoff.next(error);
        }
        if (error !== undefined) {
          const err = asError(error);
          const h = this.#health.current;
          this.#health.update({ state: 'backoff', errors: h.errors + 1, consecutiveErrors: h.consecutiveErrors + 1, lastError: err, lastErrorAt: new Date() });
          yield { type: 'ERROR', error: err, retryInMs: delay };
        } else {
          this.#health.update({ state: 'backoff' });
        }
        try {
          await sleep(delay, signal);
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
    const seen = new Set<string>();
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
        seen.add(objectKey(item));
        for (const e of this.#upsert(item)) yield e;
      }
      rv = page.metadata.resourceVersion ?? rv;
    } while (token !== undefined);
    yield* this.#finishList(seen, rv);
  }

  /** Everything in the cache that the list did not return was deleted meanwhile. */
  async *#finishList(seen: ReadonlySet<string>, rv: string): AsyncGenerator<WatcherEvent<T>, void, undefined> {
    for (const key of [...this.#cache.keys()]) {
      if (seen.has(key)) continue;
      const old = this.#cache.get(key);
      this.#cache.delete(key);
      if (old !== undefined) yield { type: 'DELETED', object: old, finalStateUnknown: true };
    }
    this.#rv = rv;
    this.#listed = true;
    this.#inInitialStream = false;
    this.#gone = 0;
    this.#backoff.reset();
    this.#lists++;
    const initial = !this.#health.current.synced;
    this.#health.resourceVersion(rv);
    this.#health.update({
      state: 'watching', synced: true, lastSyncAt: new Date(), relists: this.#lists - 1,
      consecutiveErrors: 0, ...(this.#stream ? { streamingListSupported: true } : {}),
    });
    yield { type: 'SYNCED', resourceVersion: rv, initial };
  }

  /** One watch request: live events from #rv, or (initial) a streaming list that then goes live. */
  async *#watch(signal: AbortSignal, initial: boolean): AsyncGenerator<WatcherEvent<T>, void, undefined> {
    const timeout = this.#options.timeoutSeconds;
    const request: WatchRequest = {
      allowWatchBookmarks: true,
      timeoutSeconds: typeof timeout === 'function' ? timeout() : timeout ?? Math.floor(300 + Math.random() * 300),
      ...(initial ? { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } : { resourceVersion: this.#rv }),
      ...(this.#options.inactivityTimeoutMs !== undefined ? { inactivityTimeoutMs: this.#options.inactivityTimeoutMs } : {}),
    };
    const opened = this.#watches++;
    this.#inInitialStream = initial;
    this.#health.update({ state: initial ? 'listing' : 'watching', reconnects: Math.max(0, opened), ...(initial ? { initialListMethod: 'stream' } : {}) });
    let seen = initial ? new Set<string>() : undefined;
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
          if (seen !== undefined) {
            if (event.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== 'true') {
              throw new StreamingListError('the server sent a bookmark without k8s.io/initial-events-end during a streaming list: it does not support sendInitialEvents');
            }
            h.event(now, false);
            yield* this.#finishList(seen, rv);
            seen = undefined;
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
        if (seen !== undefined) {
          if (event.type !== 'ADDED') throw new StreamingListError(`the server sent ${event.type} during the initial events of a streaming list: it does not support sendInitialEvents`);
          seen.add(objectKey(object));
          for (const e of this.#upsert(object)) yield e;
          continue;
        }
        const rv = resourceVersionOf(object);
        if (rv !== undefined) {
          this.#rv = rv;
          h.resourceVersion(rv);
        }
        this.#resetErrors();
        const out = event.type === 'DELETED' ? this.#remove(object) : this.#upsert(object);
        for (const e of out) yield e;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Closing a stream that is still busy only queues the close; never wait for it here.
      if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }

  #resetErrors(): void {
    if (this.#backoff.failures > 0) this.#backoff.reset();
    if (this.#health.current.consecutiveErrors > 0) this.#health.update({ consecutiveErrors: 0, state: 'watching' });
  }

  /** An object as the server has it now: new, changed, or (same resourceVersion) already known. */
  #upsert(object: T): readonly WatcherEvent<T>[] {
    const key = objectKey(object);
    const old = this.#cache.get(key);
    if (old === undefined) {
      this.#cache.set(key, object);
      return [{ type: 'ADDED', object }];
    }
    const oldUid = uidOf(old);
    const newUid = uidOf(object);
    if (oldUid !== undefined && newUid !== undefined && oldUid !== newUid) {
      // Deleted and re-created under the same name while we were not looking.
      this.#cache.set(key, object);
      return [{ type: 'DELETED', object: old, finalStateUnknown: true }, { type: 'ADDED', object }];
    }
    if (resourceVersionOf(old) === resourceVersionOf(object)) return EMPTY;
    this.#cache.set(key, object);
    return [{ type: 'MODIFIED', object, old }];
  }

  #remove(object: T): readonly WatcherEvent<T>[] {
    const key = objectKey(object);
    if (this.#cache.get(key) === undefined) return EMPTY;
    this.#cache.delete(key);
    return [{ type: 'DELETED', object, finalStateUnknown: false }];
  }
}

/** A resilient watcher over `source`; see {@link Watcher}. */
export function watcher<T extends HasMetadata>(source: ListerWatcher<T>, options: WatcherOptions<T> = {}): Watcher<T> {
  return new Watcher(source, options);
}
