// Unit (in-memory list/watch and Lease APIs; the real API server and real processes are in
// production-processes.int.test.ts): the manager's order of start, endpoints, guard and shutdown.
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../src/controller/json-logger.js';
import { Manager, ManagerError } from '../../src/controller/manager.js';
import { NetworkError } from '../../src/core/errors.js';
import { informer } from '../../src/runtime/informer.js';
import type { HasMetadata } from '../../src/runtime/object-meta.js';
import { FakeApi } from '../support/fake-api.js';
import { LeaseStore } from './support/lease-store.js';
import { type MiniCtx, MiniController } from './support/mini-controller.js';
import { family, parseProm } from './support/prom-parse.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ref = { method: 'GET', path: '/api/v1/configmaps' };

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function setup(reconcile: (ctx: MiniCtx) => Promise<unknown>, opts: { failLists?: number; grace?: number; leader?: LeaseStore; identity?: string; syncTimeoutMs?: number } = {}) {
  const api = new FakeApi();
  for (let i = 0; i < 5; i++) api.create(`cm-${i}`);
  for (let i = 0; i < (opts.failLists ?? 0); i++) {
    api.listFailures.push(new NetworkError('connection refused', ref, { code: 'ECONNREFUSED' }));
    api.watchFailures.push(new NetworkError('connection refused', ref, { code: 'ECONNREFUSED' }));
  }
  const inf = informer(api, { backoff: { initialDelayMs: 100, maxDelayMs: 200 } }) as unknown as ReturnType<typeof informer<HasMetadata>>;
  const lines: Record<string, unknown>[] = [];
  const log = jsonLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  const mgr = new Manager({
    identity: opts.identity ?? 'm-1', healthPort: 0, healthHost: '127.0.0.1', logger: log, gracePeriodMs: opts.grace ?? 2000,
    ...(opts.syncTimeoutMs !== undefined ? { syncTimeoutMs: opts.syncTimeoutMs } : {}),
    ...(opts.leader ? { leaderElection: { leases: opts.leader.api(), name: 'lead', leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 } } : {}),
  });
  const ctl = new MiniController('cms', inf, mgr.guard('cms', reconcile), log);
  mgr.add(ctl, opts.leader ? 'leader' : 'always');
  return { api, mgr, lines };
}

const get = async (mgr: Manager, path: string) => {
  const r = await fetch(`http://127.0.0.1:${mgr.port}${path}`);
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
};

describe('Manager', () => {
  it('/readyz is 503 until the caches sync, then 200; /healthz 200; /metrics parses', async () => {
    const done: string[] = [];
    const { mgr } = setup(async (ctx) => { done.push(ctx.key); }, { failLists: 3 });
    const started = mgr.start();
    await until(() => mgr.port !== undefined, 2000, 'the endpoints');
    const early = await get(mgr, '/readyz');
    expect(early.status).toBe(503);
    expect(early.text).toMatch(/\[-\]manager failed: manager is syncing/);
    expect((await get(mgr, '/healthz')).status).toBe(200);
    await started;
    const ready = await get(mgr, '/readyz');
    expect(ready.status).toBe(200);
    await until(() => done.length === 5, 3000, 'five reconciles');
    const m = await get(mgr, '/metrics');
    expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const fams = parseProm(m.text);
    expect(family(fams, 'kubefluent_reconcile_total').metrics).toContainEqual({ value: '5', labels: { controller: 'cms', result: 'success' } });
    expect(family(fams, 'kubefluent_informer_synced').metrics).toContainEqual({ value: '1', labels: { informer: 'cms#0' } });
    expect(family(fams, 'kubefluent_workqueue_adds_total').metrics).toContainEqual({ value: '5', labels: { name: 'cms' } });
    expect(Number(family(fams, 'kubefluent_informer_errors_total').metrics[0]?.value)).toBeGreaterThanOrEqual(3);
    expect(family(fams, 'kubefluent_reconcile_duration_seconds').type).toBe('HISTOGRAM');
    expect((await get(mgr, '/nope')).status).toBe(404);
    await mgr.stop();
    await expect(fetch(`http://127.0.0.1:${mgr.port}/healthz`)).rejects.toThrow();
  });

  it('fails loudly when the caches do not sync in time, naming the informer', async () => {
    const { mgr } = setup(async () => undefined, { failLists: 1000, syncTimeoutMs: 300 });
    const err = await mgr.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagerError);
    expect((err as ManagerError).reason).toBe('SyncTimeout');
    expect((err as Error).message).toMatch(/did not sync within 300 ms: cms#0/);
  });

  it('stop: in-flight reconciles finish (signal not aborted), nothing new starts, each log line of a reconcile carries its reconcile id', async () => {
    const log: { key: string; start: number; end?: number; aborted?: boolean }[] = [];
    const { mgr, api, lines } = setup(async (ctx) => {
      const rec: { key: string; start: number; end?: number; aborted?: boolean } = { key: ctx.key, start: performance.now() };
      log.push(rec);
      ctx.log.info('reconciling');
      await sleep(300);
      rec.end = performance.now();
      rec.aborted = ctx.signal.aborted;
    });
    await mgr.start();
    await until(() => log.length >= 2, 2000, 'two in flight');
    const stopAt = performance.now();
    for (let i = 5; i < 20; i++) api.create(`cm-${i}`);
    await mgr.stop();
    const stopMs = performance.now() - stopAt;
    expect(log.every((r) => r.end !== undefined && r.aborted === false)).toBe(true);
    expect(log.filter((r) => r.start > stopAt)).toHaveLength(0);
    expect(stopMs).toBeLessThan(1500);
    const recLines = lines.filter((l) => l.msg === 'reconciling');
    expect(recLines.length).toBe(log.length);
    expect(new Set(recLines.map((l) => l.reconcileId)).size).toBe(recLines.length);
    expect(lines.some((l) => l.msg === 'manager stopped')).toBe(true);
  });

  it('past the grace period the remaining reconciles are aborted', async () => {
    let aborted = false;
    const { mgr } = setup(async (ctx) => {
      await new Promise<void>((r) => { const t = setTimeout(r, 5000); ctx.signal.addEventListener('abort', () => { aborted = true; clearTimeout(t); r(); }); });
    }, { grace: 200 });
    await mgr.start();
    await sleep(100);
    const t0 = performance.now();
    await mgr.stop();
    expect(aborted).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it("leader mode: only the leader reconciles; an API outage aborts the leader's reconciles before the lease could pass", async () => {
    const leases = new LeaseStore();
    const seen: { id: string; key: string; aborted: () => boolean }[] = [];
    const make = (id: string) => setup(async (ctx) => {
      seen.push({ id, key: ctx.key, aborted: () => ctx.signal.aborted });
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()));
    }, { leader: leases, identity: id });
    const a = make('a');
    const b = make('b');
    await Promise.all([a.mgr.start(), b.mgr.start()]);
    await until(() => seen.length >= 2, 3000, 'the leader to reconcile');
    const leaderId = leases.holder('lead');
    expect(seen.every((s) => s.id === leaderId)).toBe(true);
    await until(() => a.mgr.notReady() === undefined && b.mgr.notReady() === undefined, 2000, 'leader and standby reported');
    const bothReady = await Promise.all([get(a.mgr, '/readyz'), get(b.mgr, '/readyz')]);
    expect(bothReady.map((r) => r.status)).toEqual([200, 200]);
    leases.down = true;
    await until(() => seen.every((s) => s.aborted()), 2000, 'in-flight reconciles aborted on loss');
    await Promise.all([a.mgr.stop(), b.mgr.stop()]);
  });
});
