// The controller against the in-memory list/watch source (test/support/fake-api.ts):
// result semantics, quiet conflicts, thrown non-Errors, per-key exclusion, maxConcurrent,
// owns/watches mapping, predicates, scope, and nothing after stop.
import { afterEach, describe, expect, it } from 'vitest';
import { errorFromStatus } from '../../src/core/errors.js';
import { Controller, type ReconcileContext, type ReconcileFailure, type ReconcileResult } from '../../src/controller/controller.js';
import { controllerFor } from '../../src/controller/builder.js';
import { silentLogger } from '../../src/controller/logger.js';
import { generationChanged, labelsChanged } from '../../src/controller/predicates.js';
import { ExponentialRateLimiter } from '../../src/controller/rate-limiters.js';
import { Informer } from '../../src/runtime/informer.js';
import { FakeApi, type FakeObject, until } from '../support/fake-api.js';

const running: Controller<FakeObject, unknown>[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
});

interface Entry { key: string; start: number; end: number }

function journaled(reconcile: (ctx: ReconcileContext<FakeObject, undefined>) => ReconcileResult | Promise<ReconcileResult>) {
  const journal: Entry[] = [];
  return {
    journal,
    reconcile: async (ctx: ReconcileContext<FakeObject, undefined>): Promise<ReconcileResult> => {
      const e = { key: ctx.key, start: performance.now(), end: Number.NaN };
      journal.push(e);
      try {
        return await reconcile(ctx);
      } finally {
        e.end = performance.now();
      }
    },
  };
}

function overlapsPerKey(journal: readonly Entry[]): number {
  let n = 0;
  const byKey = new Map<string, Entry[]>();
  for (const e of journal) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  for (const list of byKey.values()) {
    const s = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < s.length; i++) if (s[i]!.start < s[i - 1]!.end) n++;
  }
  return n;
}

function start<C>(c: Controller<FakeObject, C>): Promise<void> {
  running.push(c as unknown as Controller<FakeObject, unknown>);
  return c.start();
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const conflict = () => errorFromStatus({ kind: 'Status', code: 409, reason: 'Conflict', message: 'the object has been modified' }, { method: 'PUT', path: '/x' });

describe('controller', () => {
  it('reconciles every object once it synced, one key at a time, never more than maxConcurrent at once', async () => {
    const api = new FakeApi();
    for (let i = 0; i < 30; i++) api.create(`o${i}`, { v: '0' });
    let active = 0;
    let max = 0;
    const j = journaled(async (ctx) => {
      max = Math.max(max, ++active);
      expect(ctx.object?.metadata.name).toBe(ctx.name);
      await tick(Math.random() * 4);
      active--;
    });
    const c = new Controller({ name: 't', for: new Informer(api), reconcile: j.reconcile, maxConcurrent: 3, logger: silentLogger });
    await start(c);
    for (let round = 1; round <= 5; round++) for (let i = 0; i < 30; i += 3) api.update(`o${i}`, { v: String(round) });
    await until(() => c.metrics().queue.depth === 0 && c.metrics().active === 0 && new Set(j.journal.map((e) => e.key)).size === 30, 10_000, 'all reconciled');
    await tick(50);
    expect(overlapsPerKey(j.journal)).toBe(0);
    expect(max).toBeLessThanOrEqual(3);
    expect(c.metrics().maxActive).toBe(max);
  });

  it('requeueAfter reconciles again after the delay; requeue uses the key backoff; errors back off per key; success forgets', async () => {
    const api = new FakeApi();
    api.create('after');
    api.create('fail');
    const times = new Map<string, number[]>();
    const failures: ReconcileFailure[] = [];
    const c = new Controller({
      name: 't', for: new Informer(api), logger: silentLogger, maxConcurrent: 2,
      rateLimiter: new ExponentialRateLimiter({ baseDelayMs: 10 }),
      onError: (f) => failures.push(f),
      reconcile: (ctx) => {
        const list = times.get(ctx.name) ?? [];
        list.push(performance.now());
        times.set(ctx.name, list);
        if (ctx.name === 'after' && list.length < 3) return { requeueAfterMs: 60 };
        if (ctx.name === 'fail' && list.length < 5) throw new Error(`attempt ${list.length}`);
        return undefined;
      },
    });
    await start(c);
    await until(() => (times.get('after')?.length ?? 0) >= 3 && (times.get('fail')?.length ?? 0) >= 5, 5000, 'both done');
    const after = times.get('after')!;
    expect(after[1]! - after[0]!).toBeGreaterThanOrEqual(55);
    const fail = times.get('fail')!;
    const gaps = fail.slice(1).map((t, i) => t - fail[i]!);
    // 10, 20, 40, 80 ms: each gap at least its backoff, and growing.
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(10 * 2 ** i - 2));
    expect(failures.map((f) => f.retries)).toEqual([1, 2, 3, 4]);
    await tick(200);
    expect(times.get('fail')).toHaveLength(5);
  });

  it('a 409 is retried quietly; thrown non-Errors and rejections never end a worker', async () => {
    const api = new FakeApi();
    api.create('conflicted');
    api.create('weird');
    const failures: ReconcileFailure[] = [];
    const seen: string[] = [];
    const c = new Controller({
      name: 't', for: new Informer(api), logger: silentLogger, rateLimiter: new ExponentialRateLimiter({ baseDelayMs: 1 }),
      onError: (f) => failures.push(f),
      reconcile: async (ctx) => {
        seen.push(ctx.name);
        const n = seen.filter((s) => s === ctx.name).length;
        if (ctx.name === 'conflicted' && n < 3) throw conflict();
        if (ctx.name === 'weird' && n === 1) throw 'a string';
        if (ctx.name === 'weird' && n === 2) throw undefined;
        if (ctx.name === 'weird' && n === 3) return Promise.reject(42);
      },
    });
    await start(c);
    await until(() => seen.filter((s) => s === 'conflicted').length === 3 && seen.filter((s) => s === 'weird').length === 4, 5000, 'retries');
    expect(c.metrics().conflicts).toBe(2);
    expect(failures.map((f) => f.key)).toEqual(['default/weird', 'default/weird', 'default/weird']);
    expect(failures.every((f) => f.error instanceof Error && (f.error as { reason?: string }).reason === 'ReconcilerThrew')).toBe(true);
    api.create('later');
    await until(() => seen.includes('later'), 5000, 'the worker still runs');
  });

  it('owns: a change to an owned object reconciles its controller owner; watches map objects to keys; predicates filter', async () => {
    const api = new FakeApi();
    const owned = new FakeApi();
    const other = new FakeApi();
    api.create('app');
    const reconciled: string[] = [];
    const ownedSeen: string[][] = [];
    const apps = new Informer(api);
    const children = new Informer(owned);
    const c = controllerFor('t', apps, { kind: 'ConfigMap', apiVersion: 'v1', predicates: [labelsChanged] })
      .owns(children)
      .watches(new Informer(other), (o) => [o.data?.target ?? ''])
      .logger(silentLogger)
      .build((ctx) => {
        reconciled.push(ctx.key);
        ownedSeen.push(ctx.owned(children).map((o) => o.metadata.name));
      });
    await start(c);
    await until(() => reconciled.length === 1, 5000, 'first');
    const appObj = api.objects.get('default/app')!;
    // An owned object with a controller reference to app, and one owned by something else.
    const child = owned.create('child');
    child.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'app', uid: appObj.metadata.uid!, controller: true } as never];
    owned.update('child', { x: '1' });
    const stranger = owned.create('stranger');
    stranger.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', uid: 'u', controller: true } as never];
    owned.update('stranger', { x: '1' });
    await until(() => reconciled.length >= 2, 5000, 'owner reconciled');
    expect(ownedSeen.at(-1)).toEqual(['child']);
    other.create('pointer', { target: 'default/app' });
    await until(() => reconciled.length >= 3, 5000, 'mapped');
    await tick(50);
    const before = reconciled.length;
    api.update('app', { ignored: 'data change, labels unchanged' });
    await tick(50);
    expect(reconciled.length).toBe(before);
    api.update('app', {}, 'default', { l: '1' });
    await until(() => reconciled.length > before, 2000, 'label change');
    await tick(50);
    expect(reconciled.length).toBe(before + 1);
    expect(new Set(reconciled)).toEqual(new Set(['default/app']));
  });

  it('scope: only keys in the namespaces and primaries with the labels are reconciled', async () => {
    const api = new FakeApi();
    api.create('in', {}, 'a', { team: 'x' });
    api.create('wrong-ns', {}, 'b', { team: 'x' });
    api.create('wrong-label', {}, 'a', { team: 'y' });
    const reconciled: string[] = [];
    const c = new Controller({ name: 't', for: new Informer(api), logger: silentLogger, scope: { namespaces: ['a'], labels: { team: 'x' } }, reconcile: (ctx) => void reconciled.push(ctx.key) });
    await start(c);
    await tick(50);
    expect(reconciled).toEqual(['a/in']);
  });

  it('generationChanged passes spec edits and the start of deletion, not status or metadata writes', () => {
    const o = (generation: number, extra: object = {}) => ({ metadata: { name: 'x', generation, resourceVersion: String(generation), ...extra } });
    expect(generationChanged({ type: 'update', old: o(1), object: o(2) })).toBe(true);
    expect(generationChanged({ type: 'update', old: o(1), object: { metadata: { ...o(1).metadata, resourceVersion: '9' } } })).toBe(false);
    expect(generationChanged({ type: 'update', old: o(1), object: o(1, { deletionTimestamp: 'now' }) })).toBe(true);
    expect(generationChanged({ type: 'add', object: o(1) })).toBe(true);
    expect(generationChanged({ type: 'delete', object: o(1) })).toBe(true);
  });

  it('after stop nothing is reconciled, in-flight reconciles see their signal abort and are awaited', async () => {
    const api = new FakeApi();
    for (let i = 0; i < 20; i++) api.create(`o${i}`);
    const j = journaled(async (ctx) => {
      await new Promise((r) => {
        const t = setTimeout(r, 30);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    });
    const c = new Controller({ name: 't', for: new Informer(api), reconcile: j.reconcile, maxConcurrent: 2, logger: silentLogger });
    await start(c);
    await until(() => j.journal.length >= 2, 5000, 'a first reconcile');
    await c.stop();
    const stoppedAt = performance.now();
    const count = j.journal.length;
    expect(j.journal.every((e) => e.end <= stoppedAt)).toBe(true);
    api.create('late');
    c.enqueue('default/o19');
    await tick(80);
    expect(j.journal.length).toBe(count);
    expect(count).toBeLessThan(20);
  });
});
