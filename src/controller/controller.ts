/**
 * A controller: informer events become keys in a work queue; workers take keys and call the
 * reconciler, which is level-based: it gets the key and the current object from the cache
 * and makes the world match. The queue guarantees one reconcile per key at a time (a key
 * changed meanwhile is reconciled again afterwards); `maxConcurrent` bounds the workers.
 *
 * What the reconciler returns decides what happens next:
 * - nothing: done; the key's backoff is forgotten.
 * - `{ requeueAfterMs }`: done, and reconciled again after that delay (backoff forgotten).
 * - `{ requeue: true }`: reconciled again after the key's backoff (not an error).
 * - a thrown 409 Conflict: retried after the key's backoff, quietly (logged at debug): the cache
 *   was behind, the next attempt sees the newer object.
 * - any other throw (a non-Error too, or a rejection): reported through `onError` and retried
 *   after the key's backoff (client-go's default: 5 ms doubling to 1000 s, 10/s overall).
 * Nothing a reconciler does can end a worker loop. After `stop()` no reconcile starts; the
 * ones in flight see their signal abort and are awaited.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../core/clock.js';
import { brand, ConflictError, KubefluentError, UsageError } from '../core/errors.js';
import { linkSignals } from '../core/signals.js';
import type { EventHandler, Informer } from '../runtime/informer.js';
import { type HasMetadata, keyFor, objectKey } from '../runtime/object-meta.js';
import type { ReadonlyStore } from '../runtime/store.js';
import { consoleLogger, type Logger, withFields } from './logger.js';
import { controllerOf } from './owner-refs.js';
import type { Predicate, PredicateEvent } from './predicates.js';
import type { RateLimiter } from './rate-limiters.js';
import { WorkQueue, type WorkQueueMetrics } from './work-queue.js';

/** Which object to reconcile: its store key, and name and namespace split out. */
export interface ReconcileRequest {
  readonly key: string;
  readonly name: string;
  /** undefined for cluster-scoped objects. */
  readonly namespace: string | undefined;
}

export interface ReconcileContext<T, C> extends ReconcileRequest {
  /** The object as the cache has it now; undefined when it is gone (deleted). */
  readonly object: T | undefined;
  /** Aborts when the controller stops: pass it to every call. */
  readonly signal: AbortSignal;
  /** The controller's logger, with controller and key fields. */
  readonly log: Logger;
  /** Failed attempts for this key since it last succeeded. */
  readonly retries: number;
  /** The primary cache. */
  readonly store: ReadonlyStore<T>;
  /** The objects in `informer`'s cache whose controller is this object (by uid). */
  owned<O extends HasMetadata>(informer: Informer<O>): O[];
  /** What was passed as `client` (typically a Kube). */
  readonly client: C;
}

/** What a reconcile asks for next; see the file comment. */
export type ReconcileResult = void | undefined | { readonly requeueAfterMs: number } | { readonly requeue: true };

/** Makes the world match one object (level-based); see the file comment for what its result means. */
export type Reconciler<T, C> = (ctx: ReconcileContext<T, C>) => ReconcileResult | Promise<ReconcileResult>;

/** A reconcile failure, as reported to `onError`. */
export interface ReconcileFailure {
  readonly key: string;
  readonly error: Error;
  readonly retries: number;
  readonly retryInMs?: number;
}

/** A reconciler threw something that is not an Error; it is wrapped so that it can be reported. */
export class ReconcileError extends KubefluentError {
  static { brand(this, 'ReconcileError'); }
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ReconcilerThrew', options);
    this.name = 'ReconcileError';
  }
}

/** Which objects a controller looks at, beyond what its informers select. */
export interface ControllerScope<T> {
  /** Only keys in these namespaces. */
  readonly namespaces?: readonly string[];
  /** Only primary objects with all these labels (equality). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Only primary objects for which this is true. */
  readonly filter?: (object: T) => boolean;
}

/** Options for the primary resource's events. */
export interface ForOptions<T> {
  /** Events that fail a predicate are not enqueued. */
  readonly predicates?: readonly Predicate<T>[];
  /** The primary's kind and apiVersion, to recognise controller references; read from the cached objects when omitted. */
  readonly kind?: string;
  readonly apiVersion?: string;
}

/** Options for an owned or watched resource's events. */
export interface WatchOptions<O> {
  readonly predicates?: readonly Predicate<O>[];
}

/** Maps a watched object to the primary keys to reconcile (`namespace/name`, or `name` when cluster-scoped). */
export type MapToKeys<O> = (object: O) => readonly (string | { readonly name: string; readonly namespace?: string | undefined })[];

/** Everything a {@link Controller} is made of; {@link controllerFor} builds it step by step. */
export interface ControllerOptions<T extends HasMetadata, C = undefined> {
  /** Names the controller in logs and metrics. */
  readonly name: string;
  readonly for: Informer<T>;
  readonly forOptions?: ForOptions<T>;
  /** Informers of objects this controller creates and controls: a change reconciles the controller owner. */
  readonly owns?: readonly { readonly informer: Informer<HasMetadata>; readonly options?: WatchOptions<HasMetadata> }[];
  /** Other informers, with a function from their objects to primary keys. */
  readonly watches?: readonly { readonly informer: Informer<HasMetadata>; readonly map: MapToKeys<HasMetadata>; readonly options?: WatchOptions<HasMetadata> }[];
  readonly reconcile: Reconciler<T, C>;
  /** Workers; default 1. */
  readonly maxConcurrent?: number;
  readonly scope?: ControllerScope<T>;
  readonly client?: C;
  readonly logger?: Logger;
  /** Per-key backoff and overall limit for retries; default client-go's. */
  readonly rateLimiter?: RateLimiter<string>;
  /** Reconcile failures other than conflicts; default: logged at error level. */
  readonly onError?: (failure: ReconcileFailure) => void;
  /** The clock of requeueAfterMs and retry backoff delays; default the primary informer's (a fake cluster's clock in tests). */
  readonly clock?: Clock;
}

/** Counters since start: the queue's metrics, reconciles, errors, conflicts and requeues. */
export interface ControllerMetrics {
  readonly queue: WorkQueueMetrics;
  readonly reconciles: number;
  readonly errors: number;
  readonly conflicts: number;
  readonly requeues: number;
  /** Reconciles running now, and the most seen at once. */
  readonly active: number;
  readonly maxActive: number;
}

const OWNER_INDEX = 'kubefluent.controller-uid';

function asError(e: unknown): Error {
  return e instanceof Error ? e : new ReconcileError(`the reconciler threw a non-Error value: ${String(e)}`, { cause: e });
}

function splitKey(key: string): { name: string; namespace: string | undefined } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key, namespace: undefined } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

function sameGroup(a: string, b: string): boolean {
  const group = (v: string): string => (v.includes('/') ? v.slice(0, v.indexOf('/')) : '');
  return group(a) === group(b);
}

function passes<O>(predicates: readonly Predicate<O>[] | undefined, event: PredicateEvent<O>): boolean {
  return predicates === undefined || predicates.every((p) => p(event));
}

/**
 * @example
 * const ctl = new Controller({
 *   name: 'webapp', for: webapps, owns: [{ informer: deployments }], maxConcurrent: 4, client: kube,
 *   reconcile: async ({ object, client, signal }) => { ... },
 * });
 * await ctl.start(signal);
 */
export class Controller<T extends HasMetadata, C = undefined> {
  readonly name: string;
  readonly #o: ControllerOptions<T, C>;
  readonly #queue: WorkQueue<string>;
  readonly #log: Logger;
  readonly #stop = linkSignals();
  readonly #unregister: (() => void)[] = [];
  #started = false;
  #workers: Promise<void>[] = [];
  #done: Promise<void> = Promise.resolve();
  #active = 0;
  #stats = { reconciles: 0, errors: 0, conflicts: 0, requeues: 0, maxActive: 0 };

  constructor(options: ControllerOptions<T, C>) {
    const n = options.maxConcurrent ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`controller ${options.name}: maxConcurrent must be a whole number ≥ 1 (got ${n})`);
    this.name = options.name;
    this.#o = options;
    this.#queue = new WorkQueue<string>({ clock: options.clock ?? options.for.clock, ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}) });
    this.#log = withFields(options.logger ?? consoleLogger, { controller: options.name });
    // Every reconcile's requests listen on this one signal: many at once is expected, not a leak.
    setMaxListeners(0, this.#stop.signal);
  }

  /** The queue's and the reconciles' counters. */
  metrics(): ControllerMetrics {
    return { queue: this.#queue.metrics(), ...this.#stats, active: this.#active };
  }

  /** Queues a key by hand (e.g. from a timer or an external event). */
  enqueue(key: string): void {
    this.#queue.add(key);
  }

  /** The informers this controller reads. */
  get informers(): readonly Informer<HasMetadata>[] {
    return [this.#o.for as unknown as Informer<HasMetadata>, ...(this.#o.owns ?? []).map((x) => x.informer), ...(this.#o.watches ?? []).map((x) => x.informer)];
  }

  /**
   * Registers the event handlers, starts the informers that are not running yet (they then
   * stop with the controller), waits for every cache to sync, then starts the workers.
   * Resolves once the workers run; `done` resolves after `stop()` (or `signal`) ends them.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) throw new UsageError(`controller ${this.name} was already started`);
    this.#started = true;
    if (signal !== undefined) {
      if (signal.aborted) void this.stop();
      else signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    this.#register();
    for (const inf of this.informers) if (!inf.running) inf.start(this.#stop.signal);
    try {
      await Promise.all(this.informers.map((inf) => inf.waitForSync(this.#stop.signal)));
    } catch (e) {
      if (this.#stop.signal.aborted) return; // stopped while syncing: not a failure
      throw e;
    }
    if (this.#stop.signal.aborted) return;
    this.#workers = Array.from({ length: this.#o.maxConcurrent ?? 1 }, () => this.#worker());
    this.#done = Promise.all(this.#workers).then(() => undefined);
    this.#log.info('started', { workers: this.#workers.length });
  }

  /** Stops intake and the workers: no reconcile starts after this; in-flight ones are aborted and awaited. */
  async stop(): Promise<void> {
    if (!this.#stop.signal.aborted) {
      void this.#queue.shutdown();
      for (const u of this.#unregister.splice(0)) u();
      this.#stop.abort(new UsageError(`controller ${this.name} stopped`));
    }
    await this.#done;
  }

  /** Resolves when the workers have ended (after stop). */
  get done(): Promise<void> {
    return this.#done;
  }

  #inScope(key: string): boolean {
    const ns = this.#o.scope?.namespaces;
    return ns === undefined || ns.includes(splitKey(key).namespace ?? '');
  }

  #add(key: string): void {
    if (this.#inScope(key)) this.#queue.add(key);
  }

  #primaryInScope(object: T): boolean {
    const s = this.#o.scope;
    if (s === undefined) return true;
    if (s.labels !== undefined) {
      const labels = object.metadata?.labels ?? {};
      for (const [k, v] of Object.entries(s.labels)) if (labels[k] !== v) return false;
    }
    return s.filter === undefined || s.filter(object);
  }

  #handler<O>(predicates: readonly Predicate<O>[] | undefined, keys: (object: O) => readonly string[]): EventHandler<O> {
    const on = (event: PredicateEvent<O>, objects: readonly O[]): void => {
      if (!passes(predicates, event)) return;
      // One event may name a key twice (old and new owner are the same): add it once, or a
      // worker idle at the first add would take it and the second would queue it again.
      const all = new Set<string>();
      for (const o of objects) for (const k of keys(o)) all.add(k);
      for (const k of all) this.#add(k);
    };
    return {
      add: (object) => on({ type: 'add', object }, [object]),
      update: (old, object) => on({ type: 'update', old, object }, [old, object]),
      delete: (object) => on({ type: 'delete', object }, [object]),
    };
  }

  #register(): void {
    const primary = this.#o.for;
    const primaryPredicates = this.#o.forOptions?.predicates;
    this.#unregister.push(primary.addEventHandler(this.#handler<T>(primaryPredicates, (o) => (this.#primaryInScope(o) ? [objectKey(o)] : []))));
    for (const { informer, options } of this.#o.owns ?? []) {
      try {
        informer.addIndexer(OWNER_INDEX, (o) => {
          const c = controllerOf(o as { metadata?: { ownerReferences?: never } });
          return c === undefined ? [] : [c.uid];
        });
      } catch {
        // Already indexed (an informer shared by two controllers).
      }
      this.#unregister.push(informer.addEventHandler(this.#handler(options?.predicates, (o) => this.#ownerKeys(o))));
    }
    for (const { informer, map, options } of this.#o.watches ?? []) {
      this.#unregister.push(informer.addEventHandler(this.#handler(options?.predicates, (o) => {
        try {
          return map(o).map((k) => (typeof k === 'string' ? k : keyFor(k.name, k.namespace)));
        } catch (e) {
          this.#log.error('watches: mapping an object to keys failed', { error: asError(e).message });
          return [];
        }
      })));
    }
  }

  /** The primary key of an owned object's controller, if that controller is of the primary kind. */
  #ownerKeys(o: HasMetadata): string[] {
    const ref = controllerOf(o as { metadata?: { ownerReferences?: never } });
    if (ref === undefined) return [];
    const kind = this.#o.forOptions?.kind ?? this.#sample()?.kind;
    const apiVersion = this.#o.forOptions?.apiVersion ?? this.#sample()?.apiVersion;
    if (kind !== undefined && ref.kind !== kind) return [];
    if (apiVersion !== undefined && !sameGroup(ref.apiVersion, apiVersion)) return [];
    const sample = this.#sample();
    const clusterScoped = sample !== undefined && !sample.metadata?.namespace;
    return [clusterScoped ? ref.name : keyFor(ref.name, o.metadata?.namespace)];
  }

  #sample(): { kind?: string; apiVersion?: string; metadata?: { namespace?: string } } | undefined {
    for (const o of this.#o.for.store.values()) return o as { kind?: string; apiVersion?: string; metadata?: { namespace?: string } };
    return undefined;
  }

  async #worker(): Promise<void> {
    for (;;) {
      let key: string | undefined;
      try {
        key = await this.#queue.get(this.#stop.signal);
      } catch {
        return;
      }
      if (key === undefined) return;
      try {
        await this.#reconcileKey(key);
      } catch (e) {
        // Only a bug of ours gets here; the loop carries on regardless.
        this.#log.error('controller bug: reconcile bookkeeping failed', { key, error: asError(e).message });
      } finally {
        this.#queue.done(key);
      }
    }
  }

  async #reconcileKey(key: string): Promise<void> {
    if (this.#stop.signal.aborted) return;
    const { name, namespace } = splitKey(key);
    const retries = this.#queue.numRequeues(key);
    const store = this.#o.for.store;
    const object = store.get(key);
    const log = withFields(this.#log, { key });
    const ctx: ReconcileContext<T, C> = {
      key, name, namespace, object, retries, store, log,
      signal: this.#stop.signal,
      client: this.#o.client as C,
      owned: <O extends HasMetadata>(informer: Informer<O>): O[] => {
        const uid = object?.metadata?.uid;
        if (uid === undefined) return [];
        try {
          return informer.store.byIndex(OWNER_INDEX, uid);
        } catch {
          return informer.list().filter((o) => controllerOf(o as { metadata?: { ownerReferences?: never } })?.uid === uid);
        }
      },
    };
    this.#active++;
    if (this.#active > this.#stats.maxActive) this.#stats.maxActive = this.#active;
    this.#stats.reconciles++;
    let result: ReconcileResult;
    try {
      result = await this.#o.reconcile(ctx);
    } catch (e) {
      if (this.#stop.signal.aborted) return;
      if (e instanceof ConflictError) {
        this.#stats.conflicts++;
        log.debug('conflict: retrying with a fresher object', { retries });
        this.#queue.addRateLimited(key);
        return;
      }
      this.#stats.errors++;
      const error = asError(e);
      this.#queue.addRateLimited(key);
      const failure: ReconcileFailure = { key, error, retries: retries + 1 };
      try {
        if (this.#o.onError) this.#o.onError(failure);
        else log.error(`reconcile failed: ${error.message}`, { retries: retries + 1 });
      } catch {
        // A failing error hook must not take the worker down either.
      }
      return;
    } finally {
      this.#active--;
    }
    if (result !== undefined && result !== null && typeof result === 'object') {
      if ('requeueAfterMs' in result) {
        this.#queue.forget(key);
        this.#queue.addAfter(key, result.requeueAfterMs);
        this.#stats.requeues++;
        return;
      }
      if ('requeue' in result && result.requeue) {
        this.#queue.addRateLimited(key);
        this.#stats.requeues++;
        return;
      }
    }
    this.#queue.forget(key);
  }
}
