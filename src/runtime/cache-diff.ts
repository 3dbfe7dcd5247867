/**
 * The watcher's cache and the difference it computes: each object the server reports is
 * compared with what the cache holds (new → ADDED, changed → MODIFIED with the old object,
 * same resourceVersion → nothing, same name but another uid → DELETED then ADDED), and a
 * relist ends with a DELETED for every cached object the list no longer returned. Kept apart
 * from the watcher's state machine so an informer's store is diffed by the same rules.
 */
import { type HasMetadata, objectKey, resourceVersionOf, uidOf } from './object-meta.js';

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

/** The `type` of a {@link WatcherEvent}: ADDED, MODIFIED, DELETED, SYNCED, BOOKMARK or ERROR. */
export type WatcherEventType = WatcherEvent<unknown>['type'];

/** Where the watcher keeps what it knows, to tell ADDED from MODIFIED and to diff relists. A Map fits. */
export interface WatcherCache<T> {
  /** The cached object under `key` (namespace/name, or name when cluster-scoped). */
  get(key: string): T | undefined;
  /** Caches `object` under `key`, replacing what was there. */
  set(key: string, object: T): unknown;
  /** Forgets `key`; true if it was cached. */
  delete(key: string): boolean;
  /** Every cached key (a relist diffs them against what the list returned). */
  keys(): Iterable<string>;
  readonly size: number;
}

const EMPTY: readonly never[] = [];

/** Applies server state to a cache and says what changed. */
export class CacheDiff<T extends HasMetadata> {
  readonly cache: WatcherCache<T>;
  /** Keys seen by the list in progress; undefined outside a list. */
  #seen: Set<string> | undefined;

  constructor(cache: WatcherCache<T>) {
    this.cache = cache;
  }

  /** Starts a (re)list: from now on every upsert is remembered until {@link finishList}. */
  beginList(): void {
    this.#seen = new Set();
  }

  /** true between {@link beginList} and {@link finishList} (or {@link abandonList}). */
  get listing(): boolean {
    return this.#seen !== undefined;
  }

  /** An object as the server has it now: new, changed, or (same resourceVersion) already known. */
  upsert(object: T): readonly WatcherEvent<T>[] {
    const key = objectKey(object);
    this.#seen?.add(key);
    const old = this.cache.get(key);
    if (old === undefined) {
      this.cache.set(key, object);
      return [{ type: 'ADDED', object }];
    }
    const oldUid = uidOf(old);
    const newUid = uidOf(object);
    if (oldUid !== undefined && newUid !== undefined && oldUid !== newUid) {
      // Deleted and re-created under the same name while we were not looking.
      this.cache.set(key, object);
      return [{ type: 'DELETED', object: old, finalStateUnknown: true }, { type: 'ADDED', object }];
    }
    if (resourceVersionOf(old) === resourceVersionOf(object)) return EMPTY;
    this.cache.set(key, object);
    return [{ type: 'MODIFIED', object, old }];
  }

  /** A DELETED from the server: its final state. */
  remove(object: T): readonly WatcherEvent<T>[] {
    const key = objectKey(object);
    if (this.cache.get(key) === undefined) return EMPTY;
    this.cache.delete(key);
    return [{ type: 'DELETED', object, finalStateUnknown: false }];
  }

  /** Ends a list: everything cached that the list did not return was deleted meanwhile. */
  finishList(): WatcherEvent<T>[] {
    const seen = this.#seen ?? new Set<string>();
    this.#seen = undefined;
    const out: WatcherEvent<T>[] = [];
    for (const key of [...this.cache.keys()]) {
      if (seen.has(key)) continue;
      const old = this.cache.get(key);
      this.cache.delete(key);
      if (old !== undefined) out.push({ type: 'DELETED', object: old, finalStateUnknown: true });
    }
    return out;
  }

  /** Abandons a list that failed half way (the next list starts over). */
  abandonList(): void {
    this.#seen = undefined;
  }
}
