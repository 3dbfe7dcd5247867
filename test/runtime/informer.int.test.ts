// Integration (real kube-apiserver + etcd of test/global-setup.ts; ConfigMaps and Namespaces):
// informers and watchers on the shared cluster — event accounting over 2,000 objects on the
// streaming-list path, a quiet namespace across server-side watch timeouts, metadata-only and
// shared informers, and connections cut at random by a TCP proxy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../generated/models.js';
import { resources } from '../../generated/resources.js';
import { Kube } from '../../src/kube.js';
import type { DebugEvent } from '../../src/transport/transport.js';
import { Informer, type InformerProblem } from '../../src/runtime/informer.js';
import { indexers } from '../../src/runtime/indexers.js';
import { handleSource, type ListerWatcher, resourceSource } from '../../src/runtime/lister-watcher.js';
import { SharedInformerFactory } from '../../src/runtime/shared-informer-factory.js';
import { Watcher, type WatcherEvent } from '../../src/runtime/watcher.js';
import { adminKube, adminKubeconfig, uid } from '../client/cluster.js';
import { eventually, HandlerLedger, pool, sameVersions, sleep, storeVersions, versions } from '../support/runtime-helpers.js';
import { kubeconfigVia, startTcpProxy } from '../support/tcp-proxy.js';

let kube: Kube;
const namespaces: string[] = [];
const stops: AbortController[] = [];
/** Requests seen by `kube`'s transport: `GET path?query` strings of lists and watches. */
const requests: string[] = [];

function stopper(): AbortSignal {
  const c = new AbortController();
  stops.push(c);
  return c.signal;
}

async function namespace(prefix: string): Promise<string> {
  const ns = uid(prefix);
  await kube.namespaces.create({ metadata: { name: ns, labels: { 'kubefluent-test': 'runtime' } } });
  namespaces.push(ns);
  return ns;
}

function onDebug(e: DebugEvent): void {
  if (e.type === 'request' && e.method === 'GET') requests.push(e.url);
}

beforeAll(async () => {
  kube = await adminKube({ onDebug, fieldValidation: 'Strict' });
});

afterAll(async () => {
  for (const s of stops) s.abort();
  await Promise.all(namespaces.map((ns) => kube.namespaces.delete(ns).catch(() => undefined)));
  await kube.close();
});

describe('informer on the real API server', () => {
  it('event accounting: 2,000 ConfigMaps created, updated and deleted while it runs; the store equals a fresh list and each handler ran exactly as often as it should', async () => {
    const ns = await namespace('acct');
    const cms = kube.configmaps.namespace(ns);
    const problems: InformerProblem[] = [];
    const inf = new Informer(handleSource(cms, { labelSelector: { set: 'acct' } }), {
      onError: (p) => problems.push(p),
      indexers: { parity: indexers.label('parity') },
    });
    const early = new HandlerLedger<ConfigMap>();
    inf.addEventHandler(early.handler);
    const t0 = Date.now();
    inf.start(stopper());
    await inf.synced;
    expect(inf.health).toMatchObject({ initialListMethod: 'stream', streamingListSupported: true });
    expect(requests.some((u) => u.includes(`/namespaces/${ns}/configmaps`) && u.includes('sendInitialEvents=true'))).toBe(true);

    const N = 2000;
    const names = Array.from({ length: N }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
    await pool(names, 16, (name, i) => cms.create({ metadata: { name, labels: { set: 'acct', parity: i % 2 ? 'odd' : 'even' } }, data: { v: '0' } }));
    const tCreated = Date.now();
    // A handler added now gets the cache replayed as adds, then the same events as the early one.
    const late = new HandlerLedger<ConfigMap>();
    inf.addEventHandler(late.handler);
    await pool(names, 16, (name) => cms.patch(name, { data: { v: '1' } }));
    const deleted = names.filter((_, i) => i % 2 === 0);
    await pool(deleted, 16, (name) => cms.delete(name));
    const tWritten = Date.now();

    const expected = { add: N, update: N, delete: N / 2 };
    const lag = await eventually(() => early.counts.delete >= expected.delete && late.counts.delete >= expected.delete, 60_000, 'the deletes', () => [early.counts, late.counts]);
    await sleep(1000); // anything extra would show up now
    expect(early.counts).toEqual(expected);
    expect(late.counts).toEqual(expected);
    for (const l of [early, late]) {
      expect(l.duplicateAdds).toEqual([]);
      expect(l.unknown).toEqual([]);
      expect(l.updates.every((u) => u.old.data?.v === '0' && u.object.data?.v === '1')).toBe(true);
      expect(l.deletes.every((d) => !d.finalStateUnknown)).toBe(true);
    }
    const fresh = await cms.list({ labelSelector: { set: 'acct' } });
    expect(storeVersions(inf.store)).toEqual(versions(fresh.items));
    expect(inf.store.size).toBe(N / 2);
    expect(inf.store.byIndex('parity', 'odd')).toHaveLength(N / 2);
    expect(inf.store.byIndex('parity', 'even')).toHaveLength(0);
    expect(problems).toEqual([]);
    expect(inf.health).toMatchObject({ errors: 0, relists: 0, synced: true });
    console.log(`[runtime] accounting: ${N} creates in ${tCreated - t0} ms, ${N} patches + ${N / 2} deletes by ${tWritten - t0} ms, informer caught up ${lag} ms later; ${inf.health.events} watch events`);
  });

  it('keeps a quiet namespace watched across several server-side watch timeouts: reconnects without errors, bookmarks advance its resourceVersion', async () => {
    const quiet = await namespace('quiet');
    const busy = await namespace('busy');
    const w = new Watcher(resourceSource<ConfigMap>(kube.transport, resources['v1/configmaps'], { namespace: quiet }), { timeoutSeconds: 4, signal: stopper() });
    const events: WatcherEvent<ConfigMap>[] = [];
    const done = (async () => {
      for await (const e of w) events.push(e);
    })();
    await eventually(() => w.health.synced, 20_000, 'sync');
    const syncedRv = Number(w.health.resourceVersion);
    // Bookmarks carry the resource's newest resourceVersion; other namespaces' ConfigMaps move it on.
    let n = 0;
    const busyCms = kube.configmaps.namespace(busy);
    const writer = setInterval(() => void busyCms.create({ metadata: { name: `tick-${n++}` } }).catch(() => undefined), 500);
    try {
      await sleep(13_500);
    } finally {
      clearInterval(writer);
    }
    const h = w.health;
    expect(h.reconnects).toBeGreaterThanOrEqual(3); // each server-side timeout (4 s) ends one watch
    expect(h.bookmarks).toBeGreaterThanOrEqual(3);
    expect(Number(h.resourceVersion)).toBeGreaterThan(syncedRv);
    expect(h).toMatchObject({ errors: 0, relists: 0, state: 'watching', degraded: false });
    expect(events.some((e) => e.type === 'ERROR')).toBe(false);
    expect(Date.now() - h.lastBookmarkAt!.getTime()).toBeLessThan(6000);
    // Still connected: a change shows up at once.
    const t = Date.now();
    await kube.configmaps.namespace(quiet).create({ metadata: { name: 'wake-up' } });
    await eventually(() => events.some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'wake-up'), 5000, 'the new object');
    console.log(`[runtime] quiet watch: ${h.reconnects} server-closed watches, ${h.bookmarks} bookmarks, change seen after ${Date.now() - t} ms`);
    stops.at(-1)!.abort();
    await done;
  });

  it('shares one watch between consumers of the same selection; metadata-only informers cache PartialObjectMetadata', async () => {
    const ns = await namespace('meta');
    const payload = 'x'.repeat(4096);
    await pool(Array.from({ length: 40 }, (_, i) => i), 8, (i) => kube.configmaps.namespace(ns).create({ metadata: { name: `m-${i}`, labels: { app: i % 4 ? 'web' : 'db' } }, data: { payload } }));
    const factory = new SharedInformerFactory(kube.transport);
    const meta = factory.informer('v1/configmaps', { namespace: ns, metadataOnly: true, labelSelector: 'app' }, { indexers: { app: indexers.label('app') } });
    const again = factory.informer('v1/configmaps', { namespace: ns, metadataOnly: true, labelSelector: 'app' });
    const full = factory.informer('v1/configmaps', { namespace: ns, labelSelector: 'app' });
    expect(again).toBe(meta);
    const before = requests.length;
    factory.start(stopper());
    await factory.waitForSync();
    await kube.configmaps.namespace(ns).patch('m-1', { metadata: { labels: { app: 'db' } } });
    await eventually(() => meta.store.byIndex('app', 'db').length === 11 && full.get('m-1', ns)?.metadata?.labels?.app === 'db', 10_000, 'the label change');
    const watches = requests.slice(before).filter((u) => u.includes(`/namespaces/${ns}/configmaps`) && u.includes('watch=true'));
    expect(watches).toHaveLength(2); // one per distinct selection, not per consumer
    const m = meta.get('m-0', ns)!;
    expect(m).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'm-0', labels: { app: 'db' } } });
    expect('data' in m).toBe(false);
    expect(full.get('m-0', ns)?.data?.payload).toHaveLength(4096);
    const size = (objs: unknown[]): number => JSON.stringify(objs).length;
    console.log(`[runtime] metadata-only cache: ${size(meta.list())} bytes of JSON vs ${size(full.list())} for full objects (40 ConfigMaps with 4 KB data)`);
    expect(size(meta.list()) * 5).toBeLessThan(size(full.list()));
  });

  it('converges when a TCP proxy cuts its connections at random moments: no duplicate ADDED, no stall', async () => {
    const t00 = Date.now();
    const ns = await namespace('chaos');
    const cms = kube.configmaps.namespace(ns);
    const proxy = await startTcpProxy(new URL(kube.config.server).host);
    const dir = mkdtempSync(join(tmpdir(), 'kubefluent-runtime-'));
    const viaProxy = await Kube.connect({ kubeconfig: kubeconfigVia(adminKubeconfig(), proxy.url, join(dir, 'proxy.kubeconfig')) });
    try {
      const pre = Array.from({ length: 300 }, (_, i) => `pre-${i}`);
      await pool(pre, 16, (name) => cms.create({ metadata: { name }, data: { v: '0' } }));
      const problems: InformerProblem[] = [];
      const stop = new AbortController();
      stops.push(stop);
      const inf = new Informer(handleSource(viaProxy.configmaps.namespace(ns)), {
        backoff: { initialDelayMs: 100, maxDelayMs: 1000 }, onError: (p) => problems.push(p),
      });
      const ledger = new HandlerLedger<ConfigMap>();
      inf.addEventHandler(ledger.handler);
      let chaos = true;
      let cuts = 0;
      const chaosLoop = (async () => {
        while (chaos) {
          await sleep(50 + Math.random() * 300);
          if (chaos) cuts += Math.random() < 0.5 ? proxy.cutAll() : proxy.cutRandom(0.5);
        }
      })();
      inf.start(stop.signal); // cuts may land in the initial streaming list too
      const ops = Array.from({ length: 900 }, (_, i) => i);
      console.log(`[runtime] chaos: writing (${Date.now() - t00} ms)`);
      await pool(ops, 8, async (i) => {
        if (i < 300) await cms.create({ metadata: { name: `new-${i}` }, data: { v: '0' } });
        else if (i < 750) await cms.patch(`pre-${(i * 7) % 300}`, { data: { v: String(i) } });
        else await cms.delete(`pre-${i - 750}`);
      });
      // The writes can finish within a couple of seconds: keep cutting until the informer has
      // had to reconnect several times, so the test always exercises recovery.
      await eventually(async () => inf.health.reconnects > 3, 30_000, 'the informer to reconnect more than 3 times', () => inf.health);
      chaos = false;
      await chaosLoop;
      console.log(`[runtime] chaos: written (${Date.now() - t00} ms)`, inf.health);
      const t = Date.now();
      let fresh: Record<string, string> = {};
      await eventually(async () => {
        fresh = versions((await cms.list()).items);
        return sameVersions(storeVersions(inf.store), fresh);
      }, 30_000, 'the store to equal a fresh list', () => inf.health);
      const converged = Date.now() - t;
      expect(storeVersions(inf.store)).toEqual(fresh);
      expect(ledger.duplicateAdds).toEqual([]);
      expect(ledger.unknown).toEqual([]);
      expect([...ledger.live.keys()].sort()).toEqual(Object.keys(fresh).sort());
      expect(inf.health.reconnects).toBeGreaterThan(3);
      expect(cuts).toBeGreaterThan(3);
      expect(inf.health.state).toBe('watching');
      stop.abort();
      await inf.done;
      console.log(`[runtime] chaos: ${cuts} connections cut, ${inf.health.reconnects} reconnects, ${inf.health.relists} relists, ${inf.health.errors} errors (as values), converged ${converged} ms after the last write; ${problems.length} watch problems reported`);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  describe('abort', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;

    async function abortAfterGc(source: (k: Kube, ns: string) => ListerWatcher<ConfigMap>): Promise<{ stoppedMs: number; open: number }> {
      const ns = await namespace('abort');
      const proxy = await startTcpProxy(new URL(kube.config.server).host);
      const dir = mkdtempSync(join(tmpdir(), 'kubefluent-runtime-'));
      const viaProxy = await Kube.connect({ kubeconfig: kubeconfigVia(adminKubeconfig(), proxy.url, join(dir, 'proxy.kubeconfig')) });
      try {
        const stop = new AbortController();
        const w = new Watcher(source(viaProxy, ns), { signal: stop.signal });
        const done = (async () => {
          for await (const _ of w);
        })();
        await eventually(() => w.health.synced, 20_000, 'sync');
        gc();
        await sleep(50);
        gc();
        const t = Date.now();
        stop.abort();
        await done;
        const stoppedMs = Date.now() - t;
        expect(w.health.state).toBe('stopped');
        await eventually(() => proxy.open === 0, 3000, 'the connection to close').catch(() => undefined);
        return { stoppedMs, open: proxy.open };
      } finally {
        await viaProxy.close();
        await proxy.close();
      }
    }

    it.each([
      ['resourceSource', (k: Kube, ns: string) => resourceSource<ConfigMap>(k.transport, resources['v1/configmaps'], { namespace: ns })],
      ['handleSource', (k: Kube, ns: string) => handleSource(k.configmaps.namespace(ns))],
    ] as const)('stops at once when aborted, even after a garbage collection, and closes its connection (%s)', async (_, source) => {
      const r = await abortAfterGc(source);
      expect(r.stoppedMs).toBeLessThan(1000);
      expect(r.open).toBe(0);
    });
  });
});
