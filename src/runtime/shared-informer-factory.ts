/**
 * One informer per resource and selection, however many consumers ask: they share the
 * watch, the cache and its memory, and each adds its own handlers and indexes.
 */
import type { Resources, ResourceKey, ResourceTypeMap } from '../../generated/resources.js';
import { resources } from '../../generated/resources.js';
import { UsageError } from '../core/errors.js';
import type { KubeTransport as Transport } from '../transport/kube-transport.js';
import type { IndexFunc } from './indexers.js';
import { Informer, type InformerOptions } from './informer.js';
import { type InformerSource, resourceSource, type ResourceSelection } from './lister-watcher.js';
import type { HasMetadata, PartialObjectMetadata } from './object-meta.js';

/** Resources the API server can list and watch. */
export type WatchableResourceKey = {
  [K in ResourceKey]: 'watch' extends Resources[K]['verbs'][number] ? ('list' extends Resources[K]['verbs'][number] ? K : never) : never;
}[ResourceKey];

/** Options every informer of the factory gets (indexes are per consumer). */
export type SharedInformerFactoryOptions = Omit<InformerOptions<never>, 'indexers'>;

/** Options of a shared informer. */
export interface SharedInformerOptions<T> {
  /** Indexes this consumer needs; an index name already present is kept as it is. */
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
}

/**
 * @example
 * const factory = new SharedInformerFactory(transport, { resyncPeriodMs: 600_000 });
 * const pods = factory.informer('v1/pods', { namespace: 'web' });   // Informer<Pod>
 * const same = factory.informer('v1/pods', { namespace: 'web' });   // the same informer
 * const meta = factory.informer('v1/secrets', { metadataOnly: true }); // Informer<PartialObjectMetadata>
 * factory.start(signal);
 * await factory.waitForSync(signal);
 */
export class SharedInformerFactory {
  readonly #transport: Transport | undefined;
  readonly #options: SharedInformerFactoryOptions;
  readonly #informers = new Map<string, Informer<HasMetadata>>();
  #signal: AbortSignal | undefined;

  /** `transport` serves {@link informer}; {@link informerFor} works without one. */
  constructor(transport?: Transport, options: SharedInformerFactoryOptions = {}) {
    this.#transport = transport;
    this.#options = options;
  }

  /** The shared informer of a built-in resource (and namespace, selectors, mode), typed by the resource. */
  informer<K extends WatchableResourceKey>(resource: K, selection?: ResourceSelection & { readonly metadataOnly?: false }, options?: SharedInformerOptions<ResourceTypeMap[K]>): Informer<ResourceTypeMap[K]>;
  informer<K extends WatchableResourceKey>(resource: K, selection: ResourceSelection & { readonly metadataOnly: true }, options?: SharedInformerOptions<PartialObjectMetadata>): Informer<PartialObjectMetadata>;
  informer(resource: WatchableResourceKey, selection: ResourceSelection = {}, options: SharedInformerOptions<never> = {}): unknown {
    if (this.#transport === undefined) throw new UsageError('this factory has no transport: pass one to the constructor, or use informerFor(source)');
    const info = resources[resource];
    if (info === undefined || !(info.verbs as readonly string[]).includes('watch') || !(info.verbs as readonly string[]).includes('list')) {
      throw new UsageError(`${resource} can't be listed and watched, so it has no informer`);
    }
    return this.informerFor(resourceSource<HasMetadata>(this.#transport, info, selection as ResourceSelection & { metadataOnly?: false }), options as SharedInformerOptions<HasMetadata>);
  }

  /**
   * The shared informer for any source (a client handle via `handleSource`, a custom
   * resource via `resourceSource`); sources with the same `id` share one.
   */
  informerFor<T extends HasMetadata>(source: InformerSource<T>, options: SharedInformerOptions<T> = {}): Informer<T> {
    let inf = this.#informers.get(source.id) as Informer<T> | undefined;
    if (inf === undefined) {
      inf = new Informer<T>(source, this.#options as InformerOptions<T>);
      this.#informers.set(source.id, inf as unknown as Informer<HasMetadata>);
      if (this.#signal !== undefined) inf.start(this.#signal);
    }
    const have = new Set(inf.store.indexNames());
    for (const [name, fn] of Object.entries(options.indexers ?? {})) if (!have.has(name)) inf.addIndexer(name, fn);
    return inf;
  }

  /** Starts every informer, and those asked for later, until `signal` fires. */
  start(signal: AbortSignal): void {
    if (this.#signal !== undefined && !this.#signal.aborted) throw new UsageError('the factory is already started');
    this.#signal = signal;
    for (const inf of this.#informers.values()) inf.start(signal);
  }

  /** Resolves when every informer created so far has synced. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
  }

  /** The informers by source id. */
  informers(): ReadonlyMap<string, Informer<HasMetadata>> {
    return this.#informers;
  }
}
