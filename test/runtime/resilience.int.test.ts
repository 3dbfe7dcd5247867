// Integration (private real control planes started here with startTestEnv — kube-apiserver,
// etcd, controller-manager, scheduler, kwok; ConfigMaps only): the watcher's recovery paths
// that need a server of their own: no streaming list (WatchList gate off) → paged fallback;
// etcd compacted while the watcher is cut off → 410 → relist with the difference; the API
// server restarted mid-watch → recovery with nothing lost, with and without the watch cache.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../generated/models.js';
import { resources } from '../../generated/resources.js';
import { Kube } from '../../src/kube.js';
import { Informer, type InformerProblem } from '../../src/runtime/informer.js';
import { handleSource, resourceSource } from '../../src/runtime/lister-watcher.js';
import { Watcher, type WatcherEvent } from '../../src/runtime/watcher.js';
import type { DebugEvent } from '../../src/transport/transport.js';
import { startTestEnv, type TestEnv } from '../../testenv/index.js';
import { eventually, HandlerLedger, pool, sameVersions, sleep, storeVersions, versions } from '../support/runtime-helpers.js';
import { kubeconfigVia, startTcpProxy } from '../support/tcp-proxy.js';

const fastBackoff = { initialDelayMs: 100, maxDelayMs: 1000 };

interface Cluster {
  env: TestEnv;
  kube: Kube;
  requests: string[];
  stops: AbortController[];
  ns(prefix: string): Promise<string>;
}

/** A private cluster for one describe block: started in beforeAll, stopped in afterAll. */
function privateCluster(apiServerArgs: string[]): Cluster {
  const c = { requests: [] as string[], stops: [] as AbortController[] } as unknown as Cluster;
  let n = 0;
  beforeAll(async () => {
    const t0 = Date.now();
    c.env = await startTestEnv({ nodes: 1, apiServerArgs });
    console.log(`[runtime] private cluster ${apiServerArgs.join(' ') || '(defaults)'} up in ${Date.now() - t0} ms`);
    c.kube = await Kube.connect({
      kubeconfig: c.env.kubeconfigPath,
      onDebug: (e: DebugEvent) => {
        if (e.type === 'request' && e.method === 'GET') c.requests.push(e.url);
      },
    });
    c.ns = async (prefix) => {
      const name = `${prefix}-${n++}`;
      await c.kube.namespaces.create({ metadata: { name } });
      return name;
    };
  });
  afterAll(async () => {
    for (const s of c.stops) s.abort();
    await c.kube?.close();
    await c.env?.stop();
  });
  return c;
}

function stopper(c: Cluster): AbortController {
  const s = new AbortController();
  c.stops.push(s);
  return s;
}

async function expectStoreMatches(inf: Informer<ConfigMap>, list: () => Promise<ConfigMap[]>, timeoutMs: number): Promise<number> {
  let fresh: Record<string, string> = {};
  const ms = await eventually(async () => {
    fresh = versions(await list());
    return sameVersions(storeVersions(inf.store), fresh);
  }, timeoutMs, 'the store to equal a fresh list', () => inf.health);
  expect(storeVersions(inf.store)).toEqual(fresh);
  return ms;
}

/**
 * The API server restarted mid-watch: writes before, the restart, writes after. Nothing may
 * be lost: the store equals a fresh list, every add and delete ran once, and each updated
 * object's last update carried its final data.
 */
async function restartScenario(c: Cluster, expectedMethod: 'stream' | 'list'): Promise<void> {
  const ns = await c.ns('restart');
  const cms = c.kube.configmaps.namespace(ns);
  const names = Array.from({ length: 100 }, (_, i) => `cm-${i}`);
  await pool(names, 8, (name) => cms.create({ metadata: { name, labels: { set: 'r' } }, data: { v: '0' } }));
  const problems: InformerProblem[] = [];
  const stop = stopper(c);
  const inf = new Informer(resourceSource<ConfigMap>(c.kube.transport, resources['v1/configmaps'], { namespace: ns, labelSelector: { set: 'r' } }), {
    backoff: fastBackoff, onError: (p) => problems.push(p),
  });
  const ledger = new HandlerLedger<ConfigMap>();
  inf.addEventHandler(ledger.handler);
  inf.start(stop.signal);
  await inf.synced;
  expect(inf.health.initialListMethod).toBe(expectedMethod);
  const last = new Map<string, string>();
  await pool(names.slice(0, 50), 8, async (name) => {
    await cms.patch(name, { data: { v: 'before' } });
    last.set(name, 'before');
  });
  const t0 = Date.now();
  await c.env.restartApiServer();
  const downMs = Date.now() - t0;
  await pool(names.slice(25, 75), 8, async (name) => {
    await cms.patch(name, { data: { v: 'after' } });
    last.set(name, 'after');
  });
  await pool(names.slice(80), 8, (name) => cms.delete(name));
  await pool(Array.from({ length: 20 }, (_, i) => `new-${i}`), 8, (name) => cms.create({ metadata: { name, labels: { set: 'r' } }, data: { v: '0' } }));
  const caughtUp = await expectStoreMatches(inf, async () => (await cms.list({ labelSelector: { set: 'r' } })).items, 60_000);
  await sleep(500);
  expect(ledger.duplicateAdds).toEqual([]);
  expect(ledger.unknown).toEqual([]);
  expect(ledger.counts.add).toBe(120);
  expect(ledger.counts.delete).toBe(20);
  // Every update arrived; only a relist may fold several into one.
  if (inf.health.relists === 0) expect(ledger.counts.update).toBe(100);
  else expect(ledger.counts.update).toBeGreaterThanOrEqual(75);
  for (const [name, v] of last) expect(ledger.live.get(`${ns}/${name}`)?.data?.v).toBe(v);
  const h = inf.health;
  expect(h).toMatchObject({ synced: true, state: 'watching', degraded: false });
  expect(h.reconnects).toBeGreaterThanOrEqual(1);
  expect(problems.every((p) => p.source === 'watch')).toBe(true);
  console.log(`[runtime] restart (${expectedMethod}): API server down/up in ${downMs} ms; ${h.errors} errors as values, ${h.reconnects} reconnects, ${h.relists} relists; caught up ${caughtUp} ms after the last write`);
  stop.abort();
  await inf.done;
}

describe('without streaming lists or watch cache (--feature-gates=WatchList=false --watch-cache=false)', () => {
  const c = privateCluster(['--feature-gates=WatchList=false', '--watch-cache=false']);

  it('falls back from the refused streaming list to a paged list, without an error event', async () => {
    const ns = await c.ns('fallback');
    const cms = c.kube.configmaps.namespace(ns);
    await pool(Array.from({ length: 50 }, (_, i) => `cm-${i}`), 8, (name) => cms.create({ metadata: { name, labels: { set: 'f' } } }));
    const stop = stopper(c);
    const before = c.requests.length;
    const w = new Watcher(handleSource(cms, { labelSelector: { set: 'f' } }), { pageSize: 20, signal: stop.signal });
    const events: WatcherEvent<ConfigMap>[] = [];
    const done = (async () => {
      for await (const e of w) events.push(e);
    })();
    await eventually(() => events.some((e) => e.type === 'SYNCED'), 20_000, 'sync', () => w.health);
    expect(events.filter((e) => e.type === 'ADDED')).toHaveLength(50);
    expect(events.some((e) => e.type === 'ERROR')).toBe(false);
    expect(w.health).toMatchObject({ initialListMethod: 'list', streamingListSupported: false, errors: 0 });
    const mine = c.requests.slice(before).filter((u) => u.includes(`/namespaces/${ns}/configmaps`));
    expect(mine[0]).toContain('sendInitialEvents=true'); // tried first, refused with 422
    expect(mine.filter((u) => u.includes('limit=20'))).toHaveLength(3); // 50 objects in pages of 20
    await cms.create({ metadata: { name: 'live', labels: { set: 'f' } } });
    await eventually(() => events.some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'live'), 10_000, 'a live event');
    stop.abort();
    await done;
  });

  it('410: etcd compacted while the watcher is cut off → relist, DELETED for what vanished, MODIFIED with old and new', async () => {
    const ns = await c.ns('gone');
    const cms = c.kube.configmaps.namespace(ns);
    const names = Array.from({ length: 60 }, (_, i) => `cm-${i}`);
    await pool(names, 8, (name) => cms.create({ metadata: { name, labels: { set: 'g' } }, data: { v: '0' } }));
    const proxy = await startTcpProxy(new URL(c.env.server).host);
    const dir = mkdtempSync(join(tmpdir(), 'kubefluent-runtime-'));
    const viaProxy = await Kube.connect({ kubeconfig: kubeconfigVia(c.env.kubeconfigPath, proxy.url, join(dir, 'proxy.kubeconfig')) });
    const stop = stopper(c);
    try {
      const w = new Watcher(resourceSource<ConfigMap>(viaProxy.transport, resources['v1/configmaps'], { namespace: ns, labelSelector: { set: 'g' } }), {
        backoff: fastBackoff, signal: stop.signal,
      });
      const events: WatcherEvent<ConfigMap>[] = [];
      const done = (async () => {
        for await (const e of w) events.push(e);
      })();
      await eventually(() => w.health.synced, 20_000, 'sync');
      await cms.patch('cm-59', { data: { v: 'seen live' } });
      await eventually(() => events.some((e) => e.type === 'MODIFIED'), 10_000, 'a live event');
      const cutAt = events.length;
      proxy.block();
      proxy.cutAll();
      await pool(names.slice(0, 10), 8, (name) => cms.delete(name));
      await pool(names.slice(10, 20), 8, (name) => cms.patch(name, { data: { v: '1' } }));
      await pool(['cm-20', 'cm-21'], 2, async (name) => {
        await cms.delete(name);
        await cms.create({ metadata: { name, labels: { set: 'g' } }, data: { v: 'recreated' } });
      });
      await pool(Array.from({ length: 10 }, (_, i) => `new-${i}`), 8, (name) => cms.create({ metadata: { name, labels: { set: 'g' } }, data: { v: '0' } }));
      const revision = await c.env.compactEtcd();
      proxy.resume();
      await eventually(() => events.slice(cutAt).some((e) => e.type === 'SYNCED'), 30_000, 'the relist', () => w.health);
      const diff = events.slice(cutAt).filter((e) => e.type !== 'ERROR' && e.type !== 'BOOKMARK');
      const named = (type: string): string[] => diff.filter((e) => e.type === type).map((e) => (e as { object: ConfigMap }).object.metadata!.name!).sort();
      expect(named('DELETED')).toEqual([...names.slice(0, 10), 'cm-20', 'cm-21'].sort());
      expect(diff.filter((e) => e.type === 'DELETED').every((e) => (e as { finalStateUnknown: boolean }).finalStateUnknown)).toBe(true);
      expect(named('ADDED')).toEqual(['cm-20', 'cm-21', ...Array.from({ length: 10 }, (_, i) => `new-${i}`)].sort());
      const mods = diff.filter((e) => e.type === 'MODIFIED') as Extract<WatcherEvent<ConfigMap>, { type: 'MODIFIED' }>[];
      expect(mods.map((m) => m.object.metadata!.name!).sort()).toEqual(names.slice(10, 20).sort());
      expect(mods.every((m) => m.old.data?.v === '0' && m.object.data?.v === '1')).toBe(true);
      expect(diff.at(-1)).toMatchObject({ type: 'SYNCED', initial: false });
      expect(w.health.relists).toBe(1);
      expect(Number(w.health.resourceVersion)).toBeGreaterThanOrEqual(revision);
      console.log(`[runtime] 410: compacted at revision ${revision}; relist emitted ${diff.length - 1} events (12 DELETED, 12 ADDED, 10 MODIFIED); health ${JSON.stringify({ errors: w.health.errors, reconnects: w.health.reconnects, relists: w.health.relists })}`);
      stop.abort();
      await done;
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('the API server restarted mid-watch: the watcher recovers and nothing is lost (paged list, etcd watches)', async () => {
    await restartScenario(c, 'list');
  });
});

describe('with the default API server (watch cache, streaming lists)', () => {
  const c = privateCluster([]);

  it('the API server restarted mid-watch: the watcher recovers and nothing is lost (streaming list, watch cache rebuilt)', async () => {
    await restartScenario(c, 'stream');
  });
});
