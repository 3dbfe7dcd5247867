/**
 * An in-memory list/watch source for unit tests of the watcher and informers (never for
 * integration tests, which run against the real control plane). It keeps objects, a
 * resourceVersion counter and an event history, pages lists, replays watches from a
 * resourceVersion, answers 410 below its compaction point, and can drop or end watches,
 * refuse or ignore streaming lists and fail requests on demand.
 */
import type { KubeList } from '../../src/client/types.js';
import type { WatchEvent } from '../../src/client/watch.js';
import { AbortedError, errorFromStatus, NetworkError } from '../../src/core/errors.js';
import type { ListRequest, ListerWatcher, WatchRequest } from '../../src/runtime/lister-watcher.js';

export interface FakeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[] };
  data?: Record<string, string>;
}

type Hist = { rv: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: FakeObject };

export interface FakeApiOptions {
  /** How the fake answers sendInitialEvents: honour it, refuse it (422), or ignore it (old server). */
  readonly streaming?: 'yes' | 'refuse' | 'ignore';
}

const ref = { method: 'GET', path: '/api/v1/configmaps' };

export class FakeApi implements ListerWatcher<FakeObject> {
  readonly objects = new Map<string, FakeObject>();
  readonly history: Hist[] = [];
  readonly listRequests: ListRequest[] = [];
  readonly watchRequests: WatchRequest[] = [];
  rv = 100;
  compactedRv = 0;
  streaming: 'yes' | 'refuse' | 'ignore';
  /** Errors the next list / watch calls throw, in order. */
  readonly listFailures: Error[] = [];
  readonly watchFailures: Error[] = [];
  #uid = 0;
  #waiters = new Set<() => void>();
  #drops = new Set<(e: Error | undefined) => void>();
  #snapshots = new Map<string, FakeObject[]>();

  constructor(options: FakeApiOptions = {}) {
    this.streaming = options.streaming ?? 'yes';
  }

  #key(name: string, namespace = 'default'): string {
    return `${namespace}/${name}`;
  }

  #emit(type: Hist['type'], object: FakeObject): FakeObject {
    this.history.push({ rv: this.rv, type, object });
    for (const w of this.#waiters) w();
    return object;
  }

  create(name: string, data: Record<string, string> = {}, namespace = 'default', labels?: Record<string, string>): FakeObject {
    const key = this.#key(name, namespace);
    if (this.objects.has(key)) throw new Error(`exists: ${key}`);
    this.rv++;
    const o: FakeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, uid: `uid-${++this.#uid}`, resourceVersion: String(this.rv), ...(labels ? { labels } : {}) }, data };
    this.objects.set(key, o);
    return this.#emit('ADDED', o);
  }

  update(name: string, data: Record<string, string>, namespace = 'default', labels?: Record<string, string>): FakeObject {
    const key = this.#key(name, namespace);
    const cur = this.objects.get(key);
    if (!cur) throw new Error(`missing: ${key}`);
    this.rv++;
    const o: FakeObject = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(this.rv), ...(labels ? { labels } : {}) }, data };
    this.objects.set(key, o);
    return this.#emit('MODIFIED', o);
  }

  delete(name: string, namespace = 'default'): FakeObject {
    const key = this.#key(name, namespace);
    const cur = this.objects.get(key);
    if (!cur) throw new Error(`missing: ${key}`);
    this.rv++;
    this.objects.delete(key);
    return this.#emit('DELETED', { ...cur, metadata: { ...cur.metadata, resourceVersion: String(this.rv) } });
  }

  /** Forgets history up to now: older resourceVersions answer 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
    this.#snapshots.clear();
  }

  /** Ends every open watch: with `error` thrown, or as a normal end (server timeout). */
  dropWatches(error?: Error): void {
    for (const d of [...this.#drops]) d(error);
  }

  get openWatches(): number {
    return this.#drops.size;
  }

  async list(request: ListRequest, signal: AbortSignal): Promise<KubeList<FakeObject>> {
    this.listRequests.push(request);
    await Promise.resolve();
    if (signal.aborted) throw new AbortedError('list', signal.reason);
    const failure = this.listFailures.shift();
    if (failure) throw failure;
    let items: FakeObject[];
    let offset = 0;
    let token = request.continue;
    if (token !== undefined) {
      const [snap, off] = token.split(':');
      const saved = this.#snapshots.get(snap!);
      if (!saved) throw errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: 'continue token expired' }, ref);
      items = saved;
      offset = Number(off);
    } else {
      items = [...this.objects.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      token = `${this.rv}:0`;
      this.#snapshots.set(String(this.rv), items);
    }
    const snap = token.split(':')[0]!;
    const limit = request.limit ?? items.length;
    const page = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    // List items come without kind/apiVersion, like the real server's.
    return {
      apiVersion: 'v1', kind: 'ConfigMapList',
      metadata: { resourceVersion: snap, ...(more ? { continue: `${snap}:${offset + limit}` } : {}) },
      items: page.map((o) => ({ metadata: o.metadata, ...(o.data ? { data: o.data } : {}) })),
    };
  }

  watch(request: WatchRequest, signal: AbortSignal): AsyncIterable<WatchEvent<FakeObject>> {
    this.watchRequests.push(request);
    return this.#watch(request, signal);
  }

  async *#watch(request: WatchRequest, signal: AbortSignal): AsyncGenerator<WatchEvent<FakeObject>> {
    await Promise.resolve();
    const failure = this.watchFailures.shift();
    if (failure) throw failure;
    let from: number;
    if (request.sendInitialEvents) {
      if (this.streaming === 'refuse') {
        throw errorFromStatus({ kind: 'Status', code: 422, reason: 'Invalid', message: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' }, ref);
      }
      from = this.rv;
      for (const o of this.objects.values()) yield { type: 'ADDED', object: o };
      if (this.streaming === 'yes') {
        yield { type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: String(from), annotations: { 'k8s.io/initial-events-end': 'true' } } } };
      } else {
        yield { type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: String(from) } } };
      }
    } else {
      from = Number(request.resourceVersion ?? this.rv);
      if (from < this.compactedRv) throw errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: `too old resource version: ${from} (${this.compactedRv})` }, ref);
    }
    let dropped: { error: Error | undefined } | undefined;
    let wake: (() => void) | undefined;
    const onDrop = (e: Error | undefined): void => {
      dropped = { error: e };
      wake?.();
    };
    const onAbort = (): void => wake?.();
    this.#drops.add(onDrop);
    signal.addEventListener('abort', onAbort);
    const waiter = (): void => wake?.();
    this.#waiters.add(waiter);
    try {
      let i = this.history.findIndex((h) => h.rv > from);
      if (i < 0) i = this.history.length;
      for (;;) {
        if (signal.aborted) throw new AbortedError('watch', signal.reason);
        if (dropped) {
          if (dropped.error) throw dropped.error;
          return;
        }
        const h = this.history[i];
        if (h) {
          i++;
          yield { type: h.type, object: h.object };
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.#drops.delete(onDrop);
      this.#waiters.delete(waiter);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Sends a bookmark at the current resourceVersion to every open watch. */
  bookmark(): void {
    this.history.push({ rv: this.rv, type: 'BOOKMARK' as never, object: { metadata: { name: '', resourceVersion: String(this.rv) } } });
    for (const w of this.#waiters) w();
  }
}

export function networkError(): NetworkError {
  return new NetworkError('GET /api/v1/configmaps: cannot reach https://127.0.0.1: connection reset (ECONNRESET)', ref, { code: 'ECONNRESET' });
}

/** Resolves when `predicate` holds, polling briefly. */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
