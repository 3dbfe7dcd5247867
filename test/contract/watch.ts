/** Contract: watch order, resume, streaming lists, 410 after compaction, informer convergence. */
import { expect, it } from 'vitest';
import type { ConfigMap } from '../../generated/models.js';
import { resources } from '../../generated/resources.js';
import type { WatchEvent } from '../../src/client/watch.js';
import { ExpiredError, GoneError } from '../../src/core/errors.js';
import { mergePatch } from '../../src/core/patch.js';
import { Informer } from '../../src/runtime/informer.js';
import { resourceSource } from '../../src/runtime/lister-watcher.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../../src/runtime/watcher.js';
import type { SuiteContext } from './suite.js';
import { eventually } from './target.js';

async function take<T>(events: AsyncIterable<WatchEvent<T>>, n: number, keep: (e: WatchEvent<T>) => boolean = (e) => e.type !== 'BOOKMARK'): Promise<WatchEvent<T>[]> {
  const out: WatchEvent<T>[] = [];
  if (n === 0) return out;
  for await (const e of events) {
    if (keep(e)) out.push(e);
    if (out.length >= n) break;
  }
  return out;
}

const rvOf = (e: WatchEvent<ConfigMap>): number => Number(e.object.metadata!.resourceVersion);

export function watchesAndInformers(ctx: SuiteContext): void {
  const cms = () => ctx.kube.configmaps.namespace(ctx.ns);

  it('watch: events in resourceVersion order, and a resumed watch gets only what came after', async () => {
    const start = (await cms().list({ labelSelector: 'w=order' })).metadata!.resourceVersion!;
    await cms().create({ metadata: { name: 'w1', labels: { w: 'order' } }, data: { n: '1' } });
    await cms().patch('w1', mergePatch<ConfigMap>({ data: { n: '2' } }));
    await cms().delete('w1');
    const signal = AbortSignal.timeout(20_000);
    const events = await take(cms().watch({ resourceVersion: start, labelSelector: 'w=order', signal }), 3);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    const rvs = events.map(rvOf);
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(3);
    expect((events[1]!.object as ConfigMap).data).toEqual({ n: '2' });
    const resumed = await take(cms().watch({ resourceVersion: String(rvs[1]), labelSelector: 'w=order', signal }), 1);
    expect(resumed.map((e) => [e.type, rvOf(e)])).toEqual([['DELETED', rvs[2]]]);
  });

  it('a watch on a selector sees an object leave it as DELETED', async () => {
    const made = await cms().create({ metadata: { name: 'w2', labels: { w: 'leave' } } });
    const signal = AbortSignal.timeout(20_000);
    const watch = cms().watch({ resourceVersion: made.metadata!.resourceVersion!, labelSelector: 'w=leave', signal });
    await cms().patch('w2', mergePatch<ConfigMap>({ metadata: { labels: { w: 'gone' } } }));
    const [e] = await take(watch, 1);
    expect(e!.type).toBe('DELETED');
    // The object is sent as it last matched, at the new resourceVersion.
    expect((e!.object as ConfigMap).metadata!.labels).toEqual({ w: 'leave' });
    expect(Number((e!.object as ConfigMap).metadata!.resourceVersion)).toBeGreaterThan(Number(made.metadata!.resourceVersion));
  });

  it('streaming list: current objects as ADDED, then the initial-events-end bookmark, then changes', async () => {
    await cms().create({ metadata: { name: 'sl-1', labels: { w: 'stream' } } });
    await cms().create({ metadata: { name: 'sl-2', labels: { w: 'stream' } } });
    const signal = AbortSignal.timeout(20_000);
    const it = cms().watch({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', labelSelector: 'w=stream', signal })[Symbol.asyncIterator]();
    const initial: WatchEvent<ConfigMap>[] = [];
    for (;;) {
      const r = await it.next();
      if (r.done) throw new Error('watch ended');
      initial.push(r.value);
      if (r.value.type === 'BOOKMARK' && r.value.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === 'true') break;
    }
    expect(initial.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, (e.object as ConfigMap).metadata!.name]).sort()).toEqual([['ADDED', 'sl-1'], ['ADDED', 'sl-2']]);
    await cms().create({ metadata: { name: 'sl-3', labels: { w: 'stream' } } });
    for (;;) {
      const r = await it.next();
      if (r.done) throw new Error('watch ended');
      if (r.value.type === 'BOOKMARK') continue;
      expect([r.value.type, (r.value.object as ConfigMap).metadata!.name]).toEqual(['ADDED', 'sl-3']);
      break;
    }
    await it.return?.();
  });

  it('after a compaction, a watch or a continue token from before it is 410 Expired', async () => {
    // Core events have no watch cache on a real server: etcd's compaction decides, as the fake's does.
    const events = ctx.kube.events.namespace(ctx.ns);
    const old = (await events.list()).metadata!.resourceVersion!;
    for (const n of ['p1', 'p2', 'p3']) {
      await events.create({ metadata: { name: n }, involvedObject: { kind: 'ConfigMap', name: 'x', namespace: ctx.ns }, reason: 'Test', message: 'paging' });
    }
    const first = await events.list({ limit: 1 });
    expect(first.metadata!.continue).toBeTruthy();
    await cms().create({ metadata: { name: 'exp-later' } });
    await ctx.target.compact(ctx.kube);
    const err = await events.list({ limit: 1, continue: first.metadata!.continue! }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpiredError);
    expect(err).toMatchObject({ code: 410, reason: 'Expired' });
    expect((err as ExpiredError).status.message).toMatch(/^The provided continue parameter is too old to display a consistent list result/);
    expect((err as ExpiredError).status.metadata?.continue).toBeTruthy();
    const gone = await take(events.watch({ resourceVersion: old, timeoutSeconds: 5, signal: AbortSignal.timeout(20_000) }), 1).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GoneError);
    expect((gone as GoneError).code).toBe(410);
  });

  it('an Informer converges on what the server holds', async () => {
    const informer = new Informer<ConfigMap>(resourceSource(ctx.kube.transport, resources['v1/configmaps'], { namespace: ctx.ns, labelSelector: 'w=inf' }));
    await cms().create({ metadata: { name: 'inf-1', labels: { w: 'inf' } }, data: { v: '1' } });
    const stop = new AbortController();
    informer.start(stop.signal);
    try {
      await informer.synced;
      expect(informer.list().map((c) => c.metadata!.name)).toEqual(['inf-1']);
      await cms().create({ metadata: { name: 'inf-2', labels: { w: 'inf' } } });
      await cms().patch('inf-1', mergePatch<ConfigMap>({ data: { v: '2' } }));
      await cms().delete('inf-2');
      await cms().create({ metadata: { name: 'inf-3', labels: { w: 'inf' } } });
      const want = async () => JSON.stringify((await cms().list({ labelSelector: 'w=inf' })).items.map((c) => [c.metadata!.name, c.metadata!.resourceVersion]));
      const have = () => JSON.stringify(informer.list().map((c) => [c.metadata!.name, c.metadata!.resourceVersion]).sort());
      await eventually(async () => have() === (await want()), 10_000, 'the informer to converge');
      expect(informer.get('inf-1', ctx.ns)?.data).toEqual({ v: '2' });
    } finally {
      stop.abort();
    }
  });
}
