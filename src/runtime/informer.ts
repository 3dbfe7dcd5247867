/**
 * An informer: a resilient watcher feeding an indexed store, with handlers for add,
 * update (old and new) and delete, an optional periodic resync and a `synced` promise.
 *
 * Handler semantics (see handler-queue.ts):
 * - each handler gets the events one at a time, in watch order; an async handler's promise
 *   is awaited before that handler gets its next event, so calls for one object never
 *   overlap or reorder. Handlers do not wait for each other, and never hold the watch back.
 * - `synced` resolves once the store holds the complete initial state *and* every handler
 *   registered by then has finished with every event up to that point (its initial adds
 *   included, awaited if async). `hasSynced` turns true at the same moment.
 * - a handler added later first gets an add for each cached object, in its own queue.
 * - a handler that throws or rejects is reported through `onError`; it never stops the informer.
 * - after stop, queued events are dropped; `done` resolves when the watch is closed and the
 *   handler calls in progress have settled.
 */
import type { Clock } from '../core/clock.js';
import { AbortedError, UsageError } from '../core/errors.js';
import type { HealthListener, WatcherHealth } from './health.js';
import type { IndexFunc } from './indexers.js';
import type { ListerWatcher } from './lister-watcher.js';
import type { HasMetadata } from './object-meta.js';
import { type ReadonlyStore, Store } from './store.js';
import { HandlerQueue, type Notification } from './handler-queue.js';
import { Watcher, type WatcherOptions } from './watcher.js';

/** What an informer tells its handlers. Each may be async (awaited before the handler's next event); a rejection goes to `onError` too. */
export interface EventHandler<T> {
  /** Called for an object that appears. */
  add?(object: T): void | Promise<void>;
  /** `old` is the previous state. On a periodic resync `old === object`. */
  update?(old: T, object: T): void | Promise<void>;
  /**
   * `object` is the final state, or with `finalStateUnknown` the last known one (the
   * deletion happened while the watch was down and was found by a relist).
   */
  delete?(object: T, info: { readonly finalStateUnknown: boolean }): void | Promise<void>;
}

/** Something that went wrong inside an informer; it keeps running. */
export type InformerProblem =
  | { readonly source: 'handler'; readonly handler: 'add' | 'update' | 'delete'; readonly error: unknown }
  | { readonly source: 'watch'; readonly error: Error; readonly retryInMs: number }
  | { readonly source: 'index'; readonly index: string; readonly error: unknown };

/** Options of an informer. */
export interface InformerOptions<T> extends Omit<WatcherOptions<T>, 'cache' | 'signal'> {
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** Calls `update(obj, obj)` for every cached object this often (client-go's resync), on the informer's clock; off by default. */
  readonly resyncPeriodMs?: number;
  /** Handler failures, watch errors (retried by themselves) and index function failures. Default: console.error for handler and index failures. */
  readonly onError?: (problem: InformerProblem) => void;
}

/**
 * @example
 * const informer = new Informer(resourceSource<ConfigMap>(transport, resources['v1/configmaps']), {
 *   indexers: { app: indexers.label('app') },
 * });
 * informer.addEventHandler({ update: (old, cm) => console.log(old.data, '→', cm.data) });
 * informer.start(signal);
 * await informer.synced;
 * informer.store.byIndex('app', 'web');
 */
export class Informer<T extends HasMetadata> {
  readonly #source: ListerWatcher<T>;
  readonly #options: InformerOptions<T>;
  readonly #store: Store<T>;
  readonly #handlers = new Map<EventHandler<T>, HandlerQueue<T>>();
  readonly #watcher: Watcher<T>;
  readonly #stop = new AbortController();
  readonly #synced: Promise<void>;
  #resolveSynced!: () => void;
  #rejectSynced!: (e: unknown) => void;
  #hasSynced = false;
  #syncing = false;
  #running: Promise<void> | undefined;
  #resync: unknown;

  constructor(source: ListerWatcher<T>, options: InformerOptions<T> = {}) {
    this.#source = source;
    this.#options = options;
    this.#store = new Store<T>(options.indexers, (index, error) => this.#report({ source: 'index', index, error }));
    this.#watcher = new Watcher<T>(source, { ...options, cache: this.#store, signal: this.#stop.signal });
    this.#synced = new Promise<void>((resolve, reject) => {
      this.#resolveSynced = resolve;
      this.#rejectSynced = reject;
    });
    // Nobody may be waiting when an informer stops before syncing; that is not a crash.
    this.#synced.catch(() => undefined);
  }

  /** The cache: get, list, and lookups by index. */
  get store(): ReadonlyStore<T> {
    return this.#store;
  }

  /** The clock of its timers (watch backoff, resync): the `clock` option, else the source's, else the system clock. Controllers on this informer default to it. */
  get clock(): Clock {
    return this.#watcher.clock;
  }

  /** The list/watch source this informer runs on. */
  get source(): ListerWatcher<T> {
    return this.#source;
  }

  /** Resolves once the store holds the complete initial state and add handlers saw it; rejects with AbortedError when stopped first. */
  get synced(): Promise<void> {
    return this.#synced;
  }

  /** True once the first list has filled the store. */
  get hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** Resolves once synced; rejects with AbortedError if `signal` fires or the informer stops first. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#hasSynced) return;
    if (signal === undefined) return this.#synced;
    if (signal.aborted) throw new AbortedError('waitForSync', signal.reason);
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        this.#synced,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(new AbortedError('waitForSync', signal.reason));
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** The watcher's health now. */
  get health(): WatcherHealth {
    return this.#watcher.health;
  }

  /** Calls `listener` on each health change; returns a function that stops it. */
  onHealth(listener: HealthListener): () => void {
    return this.#watcher.onHealth(listener);
  }

  /** Health changes as an async iterable. */
  healthChanges(signal?: AbortSignal): AsyncIterable<WatcherHealth> {
    return this.#watcher.healthChanges(signal);
  }

  /** Shorthand for `store.getByName`. */
  get(name: string, namespace?: string): T | undefined {
    return this.#store.getByName(name, namespace);
  }

  /** Shorthand for `store.list()`. */
  list(): T[] {
    return this.#store.list();
  }

  /** Adds an index (also after start: it is built from the objects already cached). */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.#store.addIndexer(name, fn);
  }

  /**
   * Registers handlers; objects already cached are replayed to its `add` at once, so a late
   * handler sees the same world as an early one. Returns a function that removes it.
   */
  addEventHandler(handler: EventHandler<T>): () => void {
    if (this.#handlers.has(handler)) throw new UsageError('this handler is already registered');
    const q = new HandlerQueue<T>(handler, (kind, error) => this.#report({ source: 'handler', handler: kind, error }));
    this.#handlers.set(handler, q);
    if (handler.add !== undefined) for (const object of this.#store.values()) q.push({ kind: 'add', object });
    return () => {
      this.#handlers.delete(handler);
      void q.close();
    };
  }

  /** Starts the list and watch (once; later calls return the same run). Runs until `signal` fires or `stop()`. */
  start(signal?: AbortSignal): this {
    if (signal !== undefined) {
      if (signal.aborted) this.stop();
      else signal.addEventListener('abort', () => this.stop(), { once: true });
    }
    // #run reports everything itself; this catch only keeps a bug from becoming an unhandled rejection.
    this.#running ??= this.#run().catch((error: unknown) => this.#report({ source: 'watch', error: error instanceof Error ? error : new Error(String(error)), retryInMs: 0 }));
    return this;
  }

  /** Stops the informer; `done` resolves when the watch is closed. */
  stop(): void {
    this.#stop.abort(new AbortedError('informer stopped'));
  }

  /** Resolves when the informer has stopped (after `stop()` or its signal). */
  get done(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /** True between start and stop. */
  get running(): boolean {
    return this.#running !== undefined && !this.#stop.signal.aborted;
  }

  async #run(): Promise<void> {
    try {
      for await (const e of this.#watcher) {
        switch (e.type) {
          case 'ADDED':
            this.#notify({ kind: 'add', object: e.object });
            break;
          case 'MODIFIED':
            this.#notify({ kind: 'update', old: e.old, object: e.object });
            break;
          case 'DELETED':
            this.#notify({ kind: 'delete', object: e.object, finalStateUnknown: e.finalStateUnknown });
            break;
          case 'SYNCED':
            if (!this.#hasSynced && !this.#syncing) {
              this.#syncing = true;
              // Synced once every handler has worked through the initial state.
              void Promise.all([...this.#handlers.values()].map((q) => new Promise<void>((reached) => q.push({ kind: 'barrier', reached })))).then(() => {
                if (this.#stop.signal.aborted) return;
                this.#hasSynced = true;
                this.#resolveSynced();
                this.#startResync();
              });
            }
            break;
          case 'ERROR':
            this.#report({ source: 'watch', error: e.error, retryInMs: e.retryInMs });
            break;
          case 'BOOKMARK':
            break;
        }
      }
    } finally {
      if (this.#resync !== undefined) this.clock.clearTimeout(this.#resync);
      this.#resync = undefined;
      if (!this.#hasSynced) this.#rejectSynced(new AbortedError('informer stopped before it synced', this.#stop.signal.reason));
      await Promise.all([...this.#handlers.values()].map((q) => q.close()));
    }
  }

  #notify(n: Notification<T>): void {
    for (const q of this.#handlers.values()) q.push(n);
  }

  #startResync(): void {
    const period = this.#options.resyncPeriodMs;
    if (period === undefined || period <= 0) return;
    // A timer re-armed after each round, not an interval: a Clock has only one-shot timers.
    const tick = (): void => {
      if (this.#stop.signal.aborted) return;
      for (const o of this.#store.values()) this.#notify({ kind: 'update', old: o, object: o });
      this.#resync = this.clock.setTimeout(tick, period);
    };
    this.#resync = this.clock.setTimeout(tick, period);
  }

  #report(problem: InformerProblem): void {
    try {
      if (this.#options.onError) this.#options.onError(problem);
      // Without a hook, bugs in the caller's code (handlers, index functions) are still
      // shown; watch errors are retried and visible in `health`.
      else if (problem.source !== 'watch') console.error(`kubefluent informer: ${problem.source} ${problem.source === 'handler' ? problem.handler : problem.index} failed:`, problem.error);
    } catch {
      // The error hook itself failed; nothing sensible is left to tell.
    }
  }
}

/** An informer over `source`; call `start(signal)` to run it. */
export function informer<T extends HasMetadata>(source: ListerWatcher<T>, options: InformerOptions<T> = {}): Informer<T> {
  return new Informer(source, options);
}
