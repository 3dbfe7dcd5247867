// Informers and the shared factory against the in-memory source: handler accounting with
// old and new objects, synced, replay for late handlers, failing handlers, resync, indexes, sharing.
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { ConfigMap, Pod } from '../../generated/models.js';
import { loadClusterConfig } from '../../src/config/load.js';
import { AbortedError, UsageError } from '../../src/core/errors.js';
import { Informer, type InformerProblem } from '../../src/runtime/informer.js';
import { indexers } from '../../src/runtime/indexers.js';
import type { InformerSource } from '../../src/runtime/lister-watcher.js';
import type { PartialObjectMetadata } from '../../src/runtime/object-meta.js';
import { SharedInformerFactory } from '../../src/runtime/shared-informer-factory.js';
import { Transport } from '../../src/transport/transport.js';
import { FakeApi, type FakeObject, networkError, until } from '../support/fake-api.js';

const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});
function signal(): AbortSignal {
  const c = new AbortController();
  stops.push(c);
  return c.signal;
}

/** Counts handler calls and mirrors the store from them alone. */
function recorder() {
  const calls = { add: 0, update: 0, delete: 0 };
  const mirror = new Map<string, FakeObject>();
  const updates: [string | undefined, string | undefined][] = [];
  return {
    calls, mirror, updates,
    handler: {
      add: (o: FakeObject) => {
        calls.add++;
        mirror.set(o.metadata.name, o);
      },
      update: (old: FakeObject, o: FakeObject) => {
        calls.update++;
        updates.push([old.data?.v, o.data?.v]);
        mirror.set(o.metadata.name, o);
      },
      delete: (o: FakeObject) => {
        calls.delete++;
        mirror.delete(o.metadata.name);
      },
    },
  };
}

const fast = { initialDelayMs: 5, maxDelayMs: 20 };

describe('informer', () => {
  it('runs add/update(old, new)/delete exactly as often as the objects changed, and fills the store', async () => {
    const api = new FakeApi();
    for (let i = 0; i < 5; i++) api.create(`pre${i}`, { v: '0' });
    const inf = new Informer(api, { backoff: fast });
    const r = recorder();
    inf.addEventHandler(r.handler);
    inf.start(signal());
    await inf.synced;
    expect(inf.hasSynced).toBe(true);
    expect(r.calls).toEqual({ add: 5, update: 0, delete: 0 });
    api.update('pre0', { v: '1' });
    api.update('pre0', { v: '2' });
    api.delete('pre1');
    api.create('new', { v: '0' });
    api.dropWatches(networkError());
    api.update('pre2', { v: '1' });
    await until(() => r.calls.update === 3);
    expect(r.calls).toEqual({ add: 6, update: 3, delete: 1 });
    expect(r.updates).toEqual([['0', '1'], ['1', '2'], ['0', '1']]);
    expect([...r.mirror.keys()].sort()).toEqual(inf.list().map((o) => o.metadata.name).sort());
    expect(inf.get('pre0', 'default')?.data).toEqual({ v: '2' });
    expect(inf.store.size).toBe(api.objects.size);
  });

  it('replays the cache to a late handler, so it sees what an early one saw', async () => {
    const api = new FakeApi();
    api.create('a');
    api.create('b');
    const inf = new Informer(api).start(signal());
    await inf.synced;
    const r = recorder();
    const remove = inf.addEventHandler(r.handler);
    expect(r.calls.add).toBe(2);
    remove();
    api.create('c');
    await until(() => inf.store.size === 3);
    expect(r.calls.add).toBe(2);
    expect(() => {
      const h = {};
      inf.addEventHandler(h);
      inf.addEventHandler(h);
    }).toThrow(UsageError);
  });

  it('keeps going when handlers throw or reject, reporting each failure to onError', async () => {
    const api = new FakeApi();
    const problems: InformerProblem[] = [];
    const inf = new Informer(api, { onError: (p) => problems.push(p) });
    const good = recorder();
    inf.addEventHandler({ add: () => { throw new Error('sync boom'); } });
    inf.addEventHandler({ update: async () => { throw new Error('async boom'); } });
    inf.addEventHandler(good.handler);
    inf.start(signal());
    await inf.synced;
    api.create('a', { v: '1' });
    api.update('a', { v: '2' });
    await until(() => good.calls.update === 1 && problems.length === 2);
    expect(problems.map((p) => p.source === 'handler' && [p.handler, (p.error as Error).message])).toEqual([['add', 'sync boom'], ['update', 'async boom']]);
    api.create('b');
    await until(() => good.calls.add === 2);
  });

  it('reports watch errors to onError while it retries, and its health says so', async () => {
    const api = new FakeApi();
    api.watchFailures.push(networkError(), networkError());
    const problems: InformerProblem[] = [];
    const inf = new Informer(api, { backoff: fast, onError: (p) => problems.push(p) }).start(signal());
    await inf.synced;
    expect(problems.map((p) => p.source)).toEqual(['watch', 'watch']);
    expect(inf.health).toMatchObject({ errors: 2, synced: true, degraded: false });
  });

  it('rejects synced with AbortedError when stopped before syncing, without an unhandled rejection', async () => {
    const api = new FakeApi({ streaming: 'refuse' });
    for (let i = 0; i < 20; i++) api.listFailures.push(networkError());
    const inf = new Informer(api, { backoff: fast });
    const c = new AbortController();
    inf.start(c.signal);
    const wait = new AbortController();
    const w = inf.waitForSync(wait.signal);
    wait.abort();
    await expect(w).rejects.toBeInstanceOf(AbortedError);
    c.abort();
    await expect(inf.synced).rejects.toBeInstanceOf(AbortedError);
    await inf.done;
    expect(inf.running).toBe(false);
    expect(inf.health.state).toBe('stopped');
  });

  it('resyncs: update(obj, obj) for every cached object each period', async () => {
    const api = new FakeApi();
    api.create('a');
    api.create('b');
    const inf = new Informer(api, { resyncPeriodMs: 40 });
    const pairs: boolean[] = [];
    inf.addEventHandler({ update: (old, o) => { pairs.push(old === o); } });
    inf.start(signal());
    await inf.synced;
    await until(() => pairs.length >= 4, 2000, 'two resyncs');
    expect(pairs.every(Boolean)).toBe(true);
  });

  it('indexes the cache (namespace, label, owner, custom) and keeps indexes current', async () => {
    const api = new FakeApi();
    api.create('web-1', {}, 'shop', { app: 'web' });
    api.create('db-1', {}, 'shop', { app: 'db' });
    api.create('web-2', {}, 'blog', { app: 'web' });
    const inf = new Informer(api, { indexers: { namespace: indexers.namespace, app: indexers.label('app') } }).start(signal());
    await inf.synced;
    expect(inf.store.byIndex('namespace', 'shop')).toHaveLength(2);
    expect(inf.store.byIndex('app', 'web').map((o) => o.metadata.namespace).sort()).toEqual(['blog', 'shop']);
    inf.addIndexer('first', (o) => [o.metadata.name.split('-')[0]!]);
    expect(inf.store.byIndex('first', 'db')).toHaveLength(1);
    api.update('web-1', {}, 'shop', { app: 'db' });
    await until(() => inf.store.byIndex('app', 'db').length === 2);
    api.delete('web-2', 'blog');
    await until(() => inf.store.byIndex('app', 'web').length === 0);
    expect(inf.store.indexValues('namespace')).toEqual(['shop']);
  });
});

describe('shared informer factory', () => {
  const source = (api: FakeApi, id: string): InformerSource<FakeObject> => ({ id, list: api.list.bind(api), watch: api.watch.bind(api) });

  it('gives consumers of the same source one informer and one watch, each with its own handlers and indexes', async () => {
    const api = new FakeApi();
    api.create('a', {}, 'default', { app: 'web' });
    const f = new SharedInformerFactory();
    const one = f.informerFor(source(api, 'cm'), { indexers: { app: indexers.label('app') } });
    const two = f.informerFor(source(api, 'cm'), { indexers: { ns: indexers.namespace, app: indexers.label('other') } });
    expect(two).toBe(one);
    expect(one.store.indexNames().sort()).toEqual(['app', 'ns']);
    const r1 = recorder();
    const r2 = recorder();
    one.addEventHandler(r1.handler);
    two.addEventHandler(r2.handler);
    f.start(signal());
    const late = f.informerFor(source(api, 'other'));
    await f.waitForSync();
    expect(late.hasSynced).toBe(true);
    api.create('b');
    await until(() => r1.calls.add === 2 && r2.calls.add === 2);
    expect(api.watchRequests).toHaveLength(2); // one per distinct source, not per consumer
    expect(f.informers().size).toBe(2);
  });

  it('types informers by resource key, metadata-only as PartialObjectMetadata, and keys them by selection', async () => {
    const config = await loadClusterConfig({ kubeconfigYaml: 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n' });
    const f = new SharedInformerFactory(new Transport(config));
    const pods = f.informer('v1/pods', { namespace: 'web' });
    expectTypeOf(pods).toEqualTypeOf<Informer<Pod>>();
    expectTypeOf(f.informer('v1/configmaps').list()).toEqualTypeOf<ConfigMap[]>();
    expectTypeOf(f.informer('v1/secrets', { metadataOnly: true })).toEqualTypeOf<Informer<PartialObjectMetadata>>();
    expect(f.informer('v1/pods', { namespace: 'web' })).toBe(pods);
    expect(f.informer('v1/pods', { namespace: 'web', labelSelector: { app: 'x' } })).not.toBe(pods);
    expect(f.informer('v1/pods', { namespace: 'web', metadataOnly: true })).not.toBe(pods);
    expect([...f.informers().keys()]).toContain('v1/pods ns=web labels=app=x fields=');
    // @ts-expect-error bindings can't be watched
    expect(() => f.informer('v1/bindings')).toThrow(UsageError);
    expect(() => new SharedInformerFactory().informer('v1/pods')).toThrow(UsageError);
  });
});
