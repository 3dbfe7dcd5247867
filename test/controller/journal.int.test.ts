// Integration (the shared real control plane: kube-apiserver, etcd): a test reconciler over
// real ConfigMaps keeps a journal of every reconcile (key, start, end, monotonic time). While
// the objects churn, the journal proves: never two reconciles of one key at once; never more
// than maxConcurrent in flight; per-key backoff intervals growing as configured; requeue-after
// honoured within a tolerance; nothing reconciled after shutdown.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../generated/models.js';
import { resources } from '../../generated/resources.js';
import { Kube } from '../../src/kube.js';
import { Controller, type ReconcileResult } from '../../src/controller/controller.js';
import { silentLogger } from '../../src/controller/logger.js';
import { ExponentialRateLimiter } from '../../src/controller/rate-limiters.js';
import { Informer } from '../../src/runtime/informer.js';
import { resourceSource } from '../../src/runtime/lister-watcher.js';
import { adminKubeconfig } from '../client/cluster.js';
import { eventually, pool, sleep } from '../support/runtime-helpers.js';

interface Entry { readonly key: string; readonly start: number; end: number; readonly attempt: number; readonly outcome: string }

const MAX = 4;
const BASE_MS = 40;
const REQUEUE_MS = 400;
let kube: Kube;
let ns: string;

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig: adminKubeconfig(), fieldManager: 'journal-test' });
  ns = `journal-${randomBytes(3).toString('hex')}`;
  await kube.namespaces.create({ metadata: { name: ns } });
});
afterAll(async () => {
  await kube?.namespaces.delete(ns).catch(() => undefined);
  await kube?.close();
});

describe('the controller journal on the real control plane', () => {
  it('proves per-key exclusion, the concurrency bound, growing backoff, requeue-after, and silence after stop', async () => {
    const cms = kube.configmaps.namespace(ns);
    const names = [...Array.from({ length: 150 }, (_, i) => `plain-${i}`), ...Array.from({ length: 5 }, (_, i) => `fail-${i}`), ...Array.from({ length: 5 }, (_, i) => `tick-${i}`)];
    await pool(names, 16, (name) => cms.create({ metadata: { name }, data: { v: '0' } }));
    const journal: Entry[] = [];
    const attempts = new Map<string, number>();
    // requeue-after is measured once the churn is over, so a due key does not wait its turn
    // behind hundreds of churned keys (that is queue latency, reported by the queue's metrics).
    let ticking = false;
    const ticks = new Map<string, number>();
    const inf = new Informer(resourceSource<ConfigMap>(kube.transport, resources['v1/configmaps'], { namespace: ns }));
    const ctl = new Controller({
      name: 'journal', for: inf, maxConcurrent: MAX, logger: silentLogger, client: kube,
      rateLimiter: new ExponentialRateLimiter({ baseDelayMs: BASE_MS, maxDelayMs: 10_000 }),
      onError: () => undefined,
      reconcile: async (ctx): Promise<ReconcileResult> => {
        const attempt = (attempts.get(ctx.key) ?? 0) + 1;
        attempts.set(ctx.key, attempt);
        const e: Entry = { key: ctx.key, start: performance.now(), end: Number.NaN, attempt, outcome: 'ok' };
        journal.push(e);
        try {
          // Real work against the server: read the object afresh and annotate it now and then.
          await sleep(Math.random() * 8);
          if (ctx.name.startsWith('fail-') && attempt <= 5) {
            (e as { outcome: string }).outcome = 'error';
            throw new Error(`planned failure ${attempt}`);
          }
          if (ctx.name.startsWith('tick-') && ticking) {
            const t = (ticks.get(ctx.key) ?? 0) + 1;
            ticks.set(ctx.key, t);
            if (t <= 4) {
              (e as { outcome: string }).outcome = 'requeue';
              return { requeueAfterMs: REQUEUE_MS };
            }
          }
          if (attempt === 1 && ctx.object !== undefined && ctx.name.endsWith('0')) {
            await ctx.client.configmaps.namespace(ns).patch(ctx.name, { metadata: { annotations: { seen: 'yes' } } }, { signal: ctx.signal });
          }
          return undefined;
        } finally {
          e.end = performance.now();
        }
      },
    });
    const stop = new AbortController();
    inf.start(stop.signal);
    await ctl.start(stop.signal);
    // Churn while reconciling: every plain object is updated three times, concurrently.
    for (let round = 1; round <= 3; round++) await pool(names.filter((n) => n.startsWith('plain-')), 24, (name) => cms.patch(name, { data: { v: String(round) } }));
    await eventually(() => names.every((n) => (attempts.get(`${ns}/${n}`) ?? 0) >= (n.startsWith('fail-') ? 6 : 1)) && ctl.metrics().active === 0 && ctl.metrics().queue.depth === 0, 60_000, 'every key done', () => ctl.metrics());
    const tickFrom = journal.length;
    ticking = true;
    await pool(names.filter((n) => n.startsWith('tick-')), 5, (name) => cms.patch(name, { data: { v: 'tick' } }));
    await eventually(() => names.filter((n) => n.startsWith('tick-')).every((n) => (ticks.get(`${ns}/${n}`) ?? 0) >= 5) && ctl.metrics().active === 0, 30_000, 'the ticks', () => ctl.metrics());

    // 1. Never two reconciles of one key at once.
    const byKey = new Map<string, Entry[]>();
    for (const e of journal) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    let overlaps = 0;
    for (const list of byKey.values()) for (let i = 1; i < list.length; i++) if (list[i]!.start < list[i - 1]!.end) overlaps++;
    expect(overlaps).toBe(0);
    // 2. Never more than MAX in flight (sweep over start/end points).
    const points = journal.flatMap((e) => [[e.start, 1], [e.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let inFlight = 0;
    let peak = 0;
    for (const [, d] of points) peak = Math.max(peak, (inFlight += d));
    expect(peak).toBeLessThanOrEqual(MAX);
    expect(peak).toBeGreaterThan(1);
    // 3. Per-key backoff: the gap after failure n is at least BASE × 2^(n-1) (a gap can be longer:
    //    a due key still waits its turn behind the churn in the queue).
    for (let i = 0; i < 5; i++) {
      const list = byKey.get(`${ns}/fail-${i}`)!;
      const gaps = list.slice(1, 6).map((e, j) => e.start - list[j]!.end);
      gaps.forEach((g, j) => expect(g).toBeGreaterThanOrEqual(BASE_MS * 2 ** j - 2));
      expect(list.at(-1)!.outcome).toBe('ok');
    }
    // 4. requeue-after: each gap within [REQUEUE_MS, REQUEUE_MS + 250 ms].
    const tickGaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const list = journal.slice(tickFrom).filter((e) => e.key === `${ns}/tick-${i}`);
      for (let j = 1; j < list.length; j++) if (list[j - 1]!.outcome === 'requeue') tickGaps.push(list[j]!.start - list[j - 1]!.end);
    }
    expect(tickGaps.length).toBeGreaterThanOrEqual(15);
    for (const g of tickGaps) {
      expect(g).toBeGreaterThanOrEqual(REQUEUE_MS - 2);
      expect(g).toBeLessThanOrEqual(REQUEUE_MS + 250);
    }
    // 5. Nothing reconciled after shutdown, whatever changes.
    const tickKeys = names.filter((n) => n.startsWith('tick-'));
    for (const n of tickKeys) {
      attempts.set(`${ns}/${n}`, 0);
      ticks.set(`${ns}/${n}`, 0); // they requeue again…
    }
    await pool(tickKeys, 5, (name) => cms.patch(name, { data: { v: 'again' } }));
    await eventually(() => tickKeys.some((n) => (attempts.get(`${ns}/${n}`) ?? 0) >= 1), 10_000, 'ticks running again');
    await ctl.stop();
    const stoppedAt = performance.now();
    const count = journal.length;
    expect(journal.every((e) => e.end <= stoppedAt)).toBe(true);
    await pool(names.slice(0, 40), 16, (name) => cms.patch(name, { data: { v: 'after-stop' } }));
    await sleep(REQUEUE_MS * 2);
    expect(journal.length).toBe(count);
    stop.abort();
    await inf.done;
    const m = ctl.metrics();
    console.log(`[journal] ${journal.length} reconciles of ${names.length} keys; peak ${peak}/${MAX} in flight; 0 overlaps; backoff gaps of fail-0: ${byKey.get(`${ns}/fail-0`)!.slice(1, 6).map((e, j) => Math.round(e.start - byKey.get(`${ns}/fail-0`)![j]!.end)).join(', ')} ms; requeue-after gaps ${Math.round(Math.min(...tickGaps))}–${Math.round(Math.max(...tickGaps))} ms for ${REQUEUE_MS}; queue ${JSON.stringify({ adds: m.queue.adds, retries: m.queue.retries })}`);
  });
});
