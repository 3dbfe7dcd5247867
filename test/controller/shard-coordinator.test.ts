// Unit (in-memory Lease API with resourceVersion preconditions; real processes on the real
// API server are in shard-processes.int.test.ts): hashing, fair shares, balancing, hand-over.
import { describe, expect, it } from 'vitest';
import { fairShare, ShardCoordinator, shardOf } from '../../src/controller/sharding.js';
import { UsageError } from '../../src/core/errors.js';
import { LeaseStore } from './support/lease-store.js';

const fast = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 50 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number, what: string, detail?: () => unknown): Promise<number> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(detail?.())}`);
    await sleep(5);
  }
  return performance.now() - t0;
}

interface Replica {
  c: ShardCoordinator;
  stop: AbortController;
  run: Promise<void>;
}

function replica(store: LeaseStore, id: string, onOwn: (id: string, shard: number, on: boolean) => void, drainMs = 20): Replica {
  const stop = new AbortController();
  const c = new ShardCoordinator({
    leases: store.api(), name: 'set', identity: id, shards: 16, ...fast,
    onAcquired: (s) => onOwn(id, s, true),
    beforeRelease: async (s) => { await sleep(drainMs); onOwn(id, s, false); },
    onReleased: (s, lost) => { if (lost) onOwn(id, s, false); },
  });
  return { c, stop, run: c.run(stop.signal) };
}

describe('shardOf / fairShare', () => {
  it('hashes keys stably and spreads them', () => {
    expect(shardOf('default/a', 16)).toBe(shardOf('default/a', 16));
    const counts = new Array(16).fill(0) as number[];
    for (let i = 0; i < 16_000; i++) counts[shardOf(`ns/obj-${i}`, 16)] = (counts[shardOf(`ns/obj-${i}`, 16)] as number) + 1;
    for (const c of counts) expect(c).toBeGreaterThan(700);
    for (const c of counts) expect(c).toBeLessThan(1300);
  });

  it('fair shares add up and differ by at most one', () => {
    for (const [s, n] of [[16, 3], [16, 1], [5, 7], [1, 2]] as const) {
      const shares = Array.from({ length: n }, (_, i) => fairShare(s, n, i));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(s);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
    expect([0, 1, 2].map((i) => fairShare(16, 3, i))).toEqual([6, 5, 5]);
  });

  it('rejects a bad shard count or identity', () => {
    const store = new LeaseStore();
    expect(() => new ShardCoordinator({ leases: store.api(), name: 's', identity: 'a', shards: 0 })).toThrow(UsageError);
    expect(() => new ShardCoordinator({ leases: store.api(), name: 's', identity: 'Pod_A', shards: 4 })).toThrow(/identity/);
  });
});

describe('ShardCoordinator', () => {
  it('3 replicas, 16 shards: 6/5/5, each shard owned once; one leaves → 8/8; back → 6/5/5; never two owners', async () => {
    const store = new LeaseStore();
    const owner = new Map<number, string>();
    let overlaps = 0;
    const onOwn = (id: string, s: number, on: boolean): void => {
      if (on) {
        if (owner.has(s)) overlaps++;
        owner.set(s, id);
      } else if (owner.get(s) === id) owner.delete(s);
    };
    const rs = new Map(['r-a', 'r-b', 'r-c'].map((id) => [id, replica(store, id, onOwn)]));
    const counts = () => [...rs.values()].map((r) => r.c.assignment().held.length).sort();
    let sampledDouble = 0;
    const sampler = setInterval(() => {
      for (let s = 0; s < 16; s++) if ([...rs.values()].filter((r) => r.c.owns(s)).length > 1) sampledDouble++;
    }, 2);
    await until(() => counts().join() === '5,5,6' && owner.size === 16, 5000, '6/5/5', counts);
    // Each replica's view catches up at its next LIST.
    const view = () => rs.get('r-a')?.c.assignment();
    await until(() => view()?.holders.every((h) => h !== '') === true, 2000, 'r-a to see every holder', view);
    expect(view()?.members).toEqual(['r-a', 'r-b', 'r-c']);
    expect(new Set(view()?.holders)).toEqual(new Set(['r-a', 'r-b', 'r-c']));
    // One departs (graceful): its shards are drained, released and picked up.
    const gone = rs.get('r-b') as Replica;
    gone.stop.abort();
    await gone.run;
    rs.delete('r-b');
    expect([...store.leases.values()].filter((l) => l.spec?.holderIdentity === 'r-b')).toHaveLength(0);
    await until(() => counts().join() === '8,8' && owner.size === 16, 5000, '8/8', counts);
    // It comes back: rebalanced.
    rs.set('r-b', replica(store, 'r-b', onOwn));
    await until(() => counts().join() === '5,5,6' && owner.size === 16, 5000, '6/5/5 again', counts);
    for (const r of rs.values()) r.stop.abort();
    await Promise.all([...rs.values()].map((r) => r.run));
    clearInterval(sampler);
    expect(overlaps).toBe(0);
    expect(sampledDouble).toBe(0);
    expect([...store.leases.values()].every((l) => l.spec?.holderIdentity === '')).toBe(true);
  });

  it('a replica cut off from the API server drops its shards within the renew deadline; the others take them after the lease duration', async () => {
    const store = new LeaseStore();
    const cutApi = store.api();
    let cut = false;
    const guarded = { ...cutApi };
    for (const k of ['get', 'create', 'replace', 'list'] as const) {
      const f = cutApi[k] as (...a: unknown[]) => Promise<unknown>;
      (guarded as Record<string, unknown>)[k] = (...a: unknown[]) => (cut ? Promise.reject(new Error('cut off')) : f(...a));
    }
    const lostAt = new Map<number, number>();
    const takenAt = new Map<number, number>();
    const stopA = new AbortController();
    const a = new ShardCoordinator({ leases: guarded, name: 'set', identity: 'a', shards: 4, ...fast, onReleased: (s, lost) => { if (lost) lostAt.set(s, performance.now()); } });
    const runA = a.run(stopA.signal);
    await until(() => a.assignment().held.length === 4, 3000, 'a to hold all');
    const stopB = new AbortController();
    const b = new ShardCoordinator({ leases: store.api(), name: 'set', identity: 'b', shards: 4, ...fast, onAcquired: (s) => takenAt.set(s, performance.now()) });
    const runB = b.run(stopB.signal);
    await until(() => b.assignment().held.length === 2, 3000, 'b to get its share');
    const cutAt = performance.now();
    cut = true;
    await until(() => lostAt.size === 2, 3000, 'a to drop its shards');
    for (const t of lostAt.values()) expect(t - cutAt).toBeLessThan(fast.renewDeadlineMs + fast.retryPeriodMs + 50);
    await until(() => b.assignment().held.length === 4, 5000, 'b to take over');
    for (const [s, t] of lostAt) expect((takenAt.get(s) as number)).toBeGreaterThan(t);
    stopA.abort();
    stopB.abort();
    await Promise.all([runA, runB]);
  });
});
