// Unit (in-memory Lease API with resourceVersion preconditions; the real API server is in
// leader-processes.int.test.ts): the lease lock's client-go rules and the elector's lifecycle.
import { describe, expect, it } from 'vitest';
import { LeaderElector, resolveTimings } from '../../src/controller/leader-election.js';
import { LeaseLock } from '../../src/controller/lease-lock.js';
import { UsageError } from '../../src/core/errors.js';
import { LeaseStore } from './support/lease-store.js';

const fast = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number, what: string): Promise<number> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
  return performance.now() - t0;
}

describe('LeaseLock', () => {
  it('creates the lease when missing, and a second candidate sees it held', async () => {
    const store = new LeaseStore();
    const a = new LeaseLock(store.api(), { name: 'l', identity: 'a', leaseDurationSeconds: 15 });
    const b = new LeaseLock(store.api(), { name: 'l', identity: 'b', leaseDurationSeconds: 15 });
    expect(await a.tryAcquireOrRenew()).toEqual({ acquired: true, renewed: false });
    expect(await b.tryAcquireOrRenew()).toEqual({ acquired: false, holder: 'a', reason: 'held' });
    expect(await a.tryAcquireOrRenew()).toEqual({ acquired: true, renewed: true });
    expect(store.leases.get('l')?.spec?.leaseTransitions).toBe(0);
    expect(store.leases.get('l')?.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('judges expiry by the local clock since the record last changed, never by the remote timestamp', async () => {
    const store = new LeaseStore();
    let now = 0;
    const a = new LeaseLock(store.api(), { name: 'l', identity: 'a', leaseDurationSeconds: 15 });
    const b = new LeaseLock(store.api(), { name: 'l', identity: 'b', leaseDurationSeconds: 15, now: () => now });
    await a.tryAcquireOrRenew();
    // The holder's clock is far behind: its renewTime is in the year 2000. b must not care.
    const l = store.leases.get('l');
    if (l?.spec) l.spec.renewTime = '2000-01-01T00:00:00.000000Z';
    expect((await b.tryAcquireOrRenew()).acquired).toBe(false);
    now = 14_999;
    expect((await b.tryAcquireOrRenew()).acquired).toBe(false);
    now = 15_001;
    expect(await b.tryAcquireOrRenew()).toEqual({ acquired: true, renewed: false });
    expect(store.leases.get('l')?.spec?.leaseTransitions).toBe(1);
    expect(store.holder('l')).toBe('b');
  });

  it('a renewal seen by the observer restarts its wait', async () => {
    const store = new LeaseStore();
    let now = 0;
    const a = new LeaseLock(store.api(), { name: 'l', identity: 'a', leaseDurationSeconds: 15 });
    const b = new LeaseLock(store.api(), { name: 'l', identity: 'b', leaseDurationSeconds: 15, now: () => now });
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew();
    now = 10_000;
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew(); // sees a new record at 10 000
    now = 20_000;
    expect((await b.tryAcquireOrRenew()).acquired).toBe(false);
    now = 25_001;
    expect((await b.tryAcquireOrRenew()).acquired).toBe(true);
  });

  it('of two candidates racing for a free lease exactly one wins (resourceVersion precondition)', async () => {
    const store = new LeaseStore();
    const a = new LeaseLock(store.api(), { name: 'l', identity: 'a', leaseDurationSeconds: 15 });
    await a.tryAcquireOrRenew();
    await a.release();
    const cands = ['b', 'c', 'd'].map((id) => new LeaseLock(store.api(), { name: 'l', identity: id, leaseDurationSeconds: 15 }));
    for (const c of cands) await c.refresh();
    const results = await Promise.all(cands.map((c) => c.tryAcquireOrRenew(undefined, false)));
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    expect(results.filter((r) => !r.acquired && r.reason === 'conflict')).toHaveLength(2);
  });

  it('release clears the holder so a successor acquires at once', async () => {
    const store = new LeaseStore();
    const a = new LeaseLock(store.api(), { name: 'l', identity: 'a', leaseDurationSeconds: 15 });
    const b = new LeaseLock(store.api(), { name: 'l', identity: 'b', leaseDurationSeconds: 15 });
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew();
    expect(await a.release()).toBe(true);
    expect(store.holder('l')).toBe('');
    expect(store.leases.get('l')?.spec?.leaseDurationSeconds).toBe(1);
    expect((await b.tryAcquireOrRenew()).acquired).toBe(true);
    expect(await a.release()).toBe(false); // not ours any more
  });
});

describe('LeaderElector', () => {
  it('uses client-go defaults and rejects timings client-go rejects', () => {
    expect(resolveTimings({})).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    expect(() => resolveTimings({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(UsageError);
    expect(() => resolveTimings({ renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/1.2/);
    expect(() => resolveTimings({ leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 })).toThrow(/whole seconds/);
  });

  it('three candidates: exactly one leads, never two at once; release hands over within a retry period', async () => {
    const store = new LeaseStore();
    const stops = [new AbortController(), new AbortController(), new AbortController()];
    const events: string[] = [];
    const electors = ['a', 'b', 'c'].map((id) => new LeaderElector({
      leases: store.api(), name: 'lead', identity: id, ...fast,
      onStartedLeading: () => events.push(`start ${id}`),
      onStoppedLeading: () => events.push(`stop ${id}`),
      beforeRelease: async () => { events.push(`drain ${id}`); await sleep(30); },
    }));
    let maxLeaders = 0;
    const sampler = setInterval(() => { maxLeaders = Math.max(maxLeaders, electors.filter((e) => e.isLeader).length); }, 2);
    const runs = electors.map((e, i) => e.run((stops[i] as AbortController).signal));
    await until(() => electors.some((e) => e.isLeader), 2000, 'a leader');
    await sleep(500);
    expect(electors.filter((e) => e.isLeader)).toHaveLength(1);
    const li = electors.findIndex((e) => e.isLeader);
    const leader = electors[li] as LeaderElector;
    (stops[li] as AbortController).abort();
    const t0 = performance.now();
    await runs[li];
    expect(store.holder('lead')).not.toBe(leader.identity);
    const ms = await until(() => electors.some((e, i) => i !== li && e.isLeader), 2000, 'a successor');
    expect(performance.now() - t0).toBeLessThan(fast.retryPeriodMs * 2.2 + 200);
    expect(events.slice(events.indexOf(`drain ${leader.identity}`))).toContain(`stop ${leader.identity}`);
    expect(ms).toBeGreaterThanOrEqual(0);
    for (const s of stops) s.abort();
    await Promise.all(runs);
    clearInterval(sampler);
    expect(maxLeaders).toBe(1);
  });

  it('an API outage: the leader stops within the renew deadline, before anyone else could take over', async () => {
    const store = new LeaseStore();
    const stop = new AbortController();
    let lostAt = 0;
    let leading: AbortSignal | undefined;
    const a = new LeaderElector({ leases: store.api(), name: 'lead', identity: 'a', ...fast, onStartedLeading: (s) => { leading = s; s.addEventListener('abort', () => { lostAt = performance.now(); }); } });
    const run = a.run(stop.signal);
    await until(() => a.isLeader, 2000, 'a to lead');
    const downAt = performance.now();
    store.down = true;
    await until(() => leading?.aborted === true, 3000, 'leadership lost');
    expect(a.isLeader).toBe(false);
    // Lost no later than renew deadline + one retry after the last renewal, and well before the lease duration.
    expect(lostAt - downAt).toBeLessThan(fast.renewDeadlineMs + fast.retryPeriodMs + 50);
    store.down = false;
    await until(() => a.isLeader, 3000, 'a to lead again after the outage');
    stop.abort();
    await run;
    expect(store.holder('lead')).toBe('');
  });

  it('a killed leader (no release) is succeeded after the lease duration as observed locally', async () => {
    const store = new LeaseStore();
    const ka = new AbortController();
    const a = new LeaderElector({ leases: store.api(), name: 'lead', identity: 'a', ...fast, releaseOnCancel: false });
    const ra = a.run(ka.signal);
    await until(() => a.isLeader, 2000, 'a to lead');
    const kb = new AbortController();
    const b = new LeaderElector({ leases: store.api(), name: 'lead', identity: 'b', ...fast });
    const rb = b.run(kb.signal);
    await sleep(300);
    expect(b.isLeader).toBe(false);
    ka.abort(); // like kill -9: nothing released
    const t0 = performance.now();
    await ra;
    await until(() => b.isLeader, 3000, 'b to lead');
    const took = performance.now() - t0;
    expect(took).toBeGreaterThan(fast.leaseDurationMs - fast.retryPeriodMs * 3.2 - 300);
    expect(took).toBeLessThan(fast.leaseDurationMs + fast.retryPeriodMs * 2.2 + 200);
    kb.abort();
    await rb;
  });
});
