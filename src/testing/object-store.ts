/**
 * The fake server's storage: objects by resource, one resourceVersion counter for all of
 * them (as etcd has), a bounded event history so watches can resume from a
 * resourceVersion, and the open watches each write is fanned out to, in resourceVersion order.
 */
import type { Clock } from '../core/clock.js';
import type { ManagerEntry } from './managed-fields.js';
import { isObj, type Json } from './patches.js';
import { expired } from './status.js';
import { FakeWatch, type WatchFilter } from './watch-stream.js';

export interface StoredObject {
  readonly storage: string;
  object: Record<string, Json>;
  managers: ManagerEntry[];
}

interface HistoryEvent {
  readonly rv: number;
  readonly storage: string;
  readonly namespace: string | undefined;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Record<string, Json>;
  readonly previous: Record<string, Json> | undefined;
}

export function metaOf(o: Json | undefined): Record<string, Json> {
  return isObj(o) && isObj(o.metadata) ? o.metadata : {};
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ObjectStore {
  readonly #objects = new Map<string, Map<string, StoredObject>>();
  readonly #history: HistoryEvent[] = [];
  readonly #historySize: number;
  readonly #watches = new Set<FakeWatch>();
  #rv = 0;
  /** Events at or below this resourceVersion are gone: a watch from there gets 410. */
  #compacted = 0;

  constructor(historySize: number) {
    this.#historySize = historySize;
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  get compactedAt(): number {
    return this.#compacted;
  }

  nextRv(): number {
    return ++this.#rv;
  }

  collection(storage: string): Map<string, StoredObject> {
    let c = this.#objects.get(storage);
    if (!c) {
      c = new Map();
      this.#objects.set(storage, c);
    }
    return c;
  }

  get(storage: string, key: string): StoredObject | undefined {
    return this.#objects.get(storage)?.get(key);
  }

  *everything(): Iterable<StoredObject> {
    for (const c of this.#objects.values()) yield* c.values();
  }

  /** Stores the object (already stamped with resourceVersion `rv`) and tells the watches. */
  put(storage: string, key: string, entry: StoredObject, type: 'ADDED' | 'MODIFIED', previous: Record<string, Json> | undefined): void {
    this.collection(storage).set(key, entry);
    this.#record(storage, type, entry.object, previous);
  }

  remove(storage: string, key: string, finalState: Record<string, Json>): void {
    this.#objects.get(storage)?.delete(key);
    this.#record(storage, 'DELETED', finalState, undefined);
  }

  #record(storage: string, type: HistoryEvent['type'], object: Record<string, Json>, previous: Record<string, Json> | undefined): void {
    const rv = Number(metaOf(object).resourceVersion);
    const ns = metaOf(object).namespace;
    const event: HistoryEvent = { rv, storage, namespace: typeof ns === 'string' ? ns : undefined, type, object, previous };
    this.#history.push(event);
    if (this.#history.length > this.#historySize) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historySize);
      this.#compacted = dropped[dropped.length - 1]!.rv;
    }
    for (const w of this.#watches) this.#deliver(w, event);
  }

  #deliver(w: FakeWatch, e: HistoryEvent): void {
    if (w.resource !== e.storage || (w.namespace !== undefined && w.namespace !== e.namespace)) return;
    const now = w.matches(e.object);
    const before = e.previous !== undefined && w.matches(e.previous);
    const rv = String(e.rv);
    // As the server's watch cache does: an object entering the selection is ADDED, one leaving it DELETED.
    if (e.type === 'MODIFIED') {
      if (now && before) w.send('MODIFIED', e.object, rv);
      else if (now) w.send('ADDED', e.object, rv);
      // What leaves is sent as it last matched, at the event's resourceVersion (as the watch cache does).
      else if (before) w.send('DELETED', { ...e.previous!, metadata: { ...metaOf(e.previous), resourceVersion: rv } }, rv);
    } else if (now) w.send(e.type, e.object, rv);
  }

  /**
   * Opens a watch. `from` undefined: current objects as ADDED first (or, with
   * `initialEvents`, ADDED then the initial-events-end bookmark), then changes; `from` a
   * resourceVersion: every change after it, or 410 when it was compacted.
   */
  watch(opts: {
    storage: string; namespace: string | undefined; matches: WatchFilter; from: number | undefined; initialEvents: boolean;
    bookmarks: boolean; timeoutSeconds: number | undefined; apiVersion: string; kind: string; clock?: Clock;
  }): FakeWatch {
    const w = new FakeWatch(opts.storage, opts.namespace, opts.matches, opts.bookmarks, opts.timeoutSeconds, (x) => this.#watches.delete(x), opts.clock);
    w.lastRv = String(this.#rv);
    if (opts.from === undefined || opts.initialEvents) {
      const current = [...this.collection(opts.storage).values()]
        .filter((s) => opts.namespace === undefined || metaOf(s.object).namespace === opts.namespace)
        .filter((s) => opts.matches(s.object))
        .sort((a, b) => Number(metaOf(a.object).resourceVersion) - Number(metaOf(b.object).resourceVersion));
      for (const s of current) w.send('ADDED', s.object, String(metaOf(s.object).resourceVersion));
      if (opts.initialEvents) w.bookmark(String(this.#rv), { 'k8s.io/initial-events-end': 'true' });
    } else if (opts.from < this.#compacted) {
      w.fail(expired(`too old resource version: ${opts.from} (${this.#compacted + 1})`).status);
      return w;
    } else {
      for (const e of this.#history) if (e.rv > opts.from) this.#deliver(w, e);
    }
    this.#watches.add(w);
    return w;
  }

  /** Open watches (test controls). */
  openWatches(): FakeWatch[] {
    return [...this.#watches];
  }

  /** Forgets all history up to now: watches from an older resourceVersion get 410. */
  compact(): void {
    this.#history.length = 0;
    this.#compacted = this.#rv;
  }
}
