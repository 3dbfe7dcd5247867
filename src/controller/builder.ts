/**
 * controller-runtime's builder shape over {@link ControllerOptions}: name the primary
 * resource, what it owns and what else it watches, then give the reconciler.
 *
 * @example
 * const ctl = controllerFor('webapp', webapps, { predicates: [generationChanged] })
 *   .owns(deployments)
 *   .watches(secrets, (s) => [{ name: s.metadata?.labels?.app ?? '', namespace: s.metadata?.namespace }])
 *   .maxConcurrent(4)
 *   .withClient(kube)
 *   .build(async ({ object, client, signal }) => { ... });
 */
import type { Clock } from '../core/clock.js';
import type { Informer } from '../runtime/informer.js';
import type { HasMetadata } from '../runtime/object-meta.js';
import { Controller, type ControllerOptions, type ControllerScope, type ForOptions, type MapToKeys, type ReconcileFailure, type Reconciler, type WatchOptions } from './controller.js';
import type { Logger } from './logger.js';
import type { RateLimiter } from './rate-limiters.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** @internal The options collected so far; `build` adds the reconciler. */
type Draft<T extends HasMetadata, C> = Mutable<Omit<ControllerOptions<T, C>, 'reconcile' | 'owns' | 'watches'>> & {
  owns: NonNullable<ControllerOptions<T, C>['owns']>[number][];
  watches: NonNullable<ControllerOptions<T, C>['watches']>[number][];
};

/** Collects a controller's options step by step (see the file comment); start one with {@link controllerFor}. */
export class ControllerBuilder<T extends HasMetadata, C = undefined> {
  readonly #d: Draft<T, C>;

  /** @internal Use {@link controllerFor}. */
  constructor(draft: Draft<T, C>) {
    this.#d = draft;
  }

  /** Objects of `informer` controlled by a primary object reconcile that primary. */
  owns<O extends HasMetadata>(informer: Informer<O>, options?: WatchOptions<O>): this {
    this.#d.owns.push({ informer: informer as unknown as Informer<HasMetadata>, ...(options ? { options: options as WatchOptions<HasMetadata> } : {}) });
    return this;
  }

  /** Objects of `informer` reconcile the primary keys `map` returns. */
  watches<O extends HasMetadata>(informer: Informer<O>, map: MapToKeys<O>, options?: WatchOptions<O>): this {
    this.#d.watches.push({ informer: informer as unknown as Informer<HasMetadata>, map: map as MapToKeys<HasMetadata>, ...(options ? { options: options as WatchOptions<HasMetadata> } : {}) });
    return this;
  }

  /** Reconciles running at once (different keys only); default 1. */
  maxConcurrent(n: number): this {
    this.#d.maxConcurrent = n;
    return this;
  }

  /** Narrows which keys are reconciled (namespaces, labels, a filter). */
  scope(scope: ControllerScope<T>): this {
    this.#d.scope = scope;
    return this;
  }

  /** Where the controller and `ctx.log` write; default {@link consoleLogger}. */
  logger(logger: Logger): this {
    this.#d.logger = logger;
    return this;
  }

  /** Per-key backoff and overall limit for retries; default client-go's. */
  rateLimiter(limiter: RateLimiter<string>): this {
    this.#d.rateLimiter = limiter;
    return this;
  }

  /** Called for each failed reconcile other than a conflict; default: logged at error level. */
  onError(hook: (failure: ReconcileFailure) => void): this {
    this.#d.onError = hook;
    return this;
  }

  /** The clock of requeueAfterMs and retry delays; default the primary informer's. */
  clock(clock: Clock): this {
    this.#d.clock = clock;
    return this;
  }

  /** What the reconciler gets as `ctx.client`. */
  withClient<C2>(client: C2): ControllerBuilder<T, C2> {
    return new ControllerBuilder<T, C2>({ ...(this.#d as unknown as Draft<T, C2>), client });
  }

  /** The controller, with `reconcile` as its reconciler; call `start()` on it to run. */
  build(reconcile: Reconciler<T, C>): Controller<T, C> {
    return new Controller<T, C>({ ...this.#d, reconcile });
  }
}

/** Starts a controller description: `name` for logs and metrics, `informer` for the primary resource. */
export function controllerFor<T extends HasMetadata>(name: string, informer: Informer<T>, options?: ForOptions<T>): ControllerBuilder<T, undefined> {
  return new ControllerBuilder<T, undefined>({ name, for: informer, ...(options ? { forOptions: options } : {}), owns: [], watches: [] });
}
