/**
 * An informer's cache: objects keyed by namespace/name, with secondary indexes kept up
 * to date on every change. It is the watcher's cache too, so each object is held once.
 */
import { UsageError } from '../core/errors.js';
import type { IndexFunc } from './indexers.js';
import { type HasMetadata, keyFor } from './object-meta.js';
import type { WatcherCache } from './watcher.js';

/** The read side of a store, what informers hand out. */
export interface ReadonlyStore<T> {
  readonly size: number;
  /** By key: `namespace/name`, or `name` when cluster-scoped. */
  get(key: string): T | undefined;
  /** By name (and namespace, for namespaced objects). */
  getByName(name: string, namespace?: string): T | undefined;
  /** Whether an object has this key. */
  has(key: string): boolean;
  /** Every key. */
  keys(): IterableIterator<string>;
  /** Every object. */
  values(): IterableIterator<T>;
  /** A new array of every object. */
  list(): T[];
  /** The objects an index holds under `value`, e.g. `byIndex('namespace', 'web')`. */
  byIndex(index: string, value: string): T[];
  /** The keys an index holds under `value`. */
  indexKeys(index: string, value: string): string[];
  /** Every value an index currently holds. */
  indexValues(index: string): string[];
  /** The names of the indexes. */
  indexNames(): string[];
}

/**
 * A keyed, indexed store.
 *
 * @example
 * const store = new Store<Pod>({ namespace: indexers.namespace, node: (p) => [p.spec?.nodeName ?? ''] });
 * store.byIndex('node', 'kwok-node-0');
 */
export class Store<T extends HasMetadata> implements ReadonlyStore<T>, WatcherCache<T> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();
  readonly #onIndexError: (index: string, error: unknown) => void;

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}, onIndexError: (index: string, error: unknown) => void = () => undefined) {
    this.#onIndexError = onIndexError;
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  /** The number of objects. */
  get size(): number {
    return this.#items.size;
  }

  /** Adds an index, built at once from the current objects. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new UsageError(`index ${JSON.stringify(name)} already exists`);
    this.#indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.#indices.set(name, index);
    for (const [key, object] of this.#items) this.#addTo(name, fn, index, key, object);
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  getByName(name: string, namespace?: string): T | undefined {
    return this.#items.get(keyFor(name, namespace));
  }

  /** Whether an object has this key. */
  has(key: string): boolean {
    return this.#items.has(key);
  }

  /** Every key. */
  keys(): IterableIterator<string> {
    return this.#items.keys();
  }

  /** Every object. */
  values(): IterableIterator<T> {
    return this.#items.values();
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  /** Adds or replaces an object, updating the indexes. */
  set(key: string, object: T): this {
    const old = this.#items.get(key);
    this.#items.set(key, object);
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      if (old !== undefined) this.#removeFrom(name, fn, index, key, old);
      this.#addTo(name, fn, index, key, object);
    }
    return this;
  }

  /** Removes an object, updating the indexes. */
  delete(key: string): boolean {
    const old = this.#items.get(key);
    if (old === undefined) return false;
    this.#items.delete(key);
    for (const [name, fn] of this.#indexers) this.#removeFrom(name, fn, this.#indices.get(name)!, key, old);
    return true;
  }

  byIndex(index: string, value: string): T[] {
    const out: T[] = [];
    for (const key of this.#index(index).get(value) ?? []) {
      const o = this.#items.get(key);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  indexKeys(index: string, value: string): string[] {
    return [...(this.#index(index).get(value) ?? [])];
  }

  indexValues(index: string): string[] {
    return [...this.#index(index).keys()];
  }

  /** The names of the indexes. */
  indexNames(): string[] {
    return [...this.#indexers.keys()];
  }

  #index(name: string): Map<string, Set<string>> {
    const index = this.#indices.get(name);
    if (index === undefined) throw new UsageError(`no index named ${JSON.stringify(name)} (have: ${this.indexNames().join(', ') || 'none'})`);
    return index;
  }

  #values(name: string, fn: IndexFunc<T>, object: T): readonly string[] {
    try {
      return fn(object);
    } catch (e) {
      // A broken index function must not break the cache: the object is just not indexed.
      this.#onIndexError(name, e);
      return [];
    }
  }

  #addTo(name: string, fn: IndexFunc<T>, index: Map<string, Set<string>>, key: string, object: T): void {
    for (const v of this.#values(name, fn, object)) {
      let keys = index.get(v);
      if (keys === undefined) index.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  #removeFrom(name: string, fn: IndexFunc<T>, index: Map<string, Set<string>>, key: string, object: T): void {
    for (const v of this.#values(name, fn, object)) {
      const keys = index.get(v);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(v);
    }
  }
}
