// Unit: controllers, leader election and sharding on fakeKube() run on the fake cluster's clock
// (no `clock` option given: it comes from the informer / the Lease handle) — a 30 s requeueAfter
// runs again exactly at 30 s of fake time, a failing reconcile retries on client-go's 5 ms
// doubling backoff, a standby takes over only a lease duration after the leader's last renewal,
// and sharding moves a silent member's shards only after its leases expired.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSchemas } from '../../src/core/validation.js';
import type { ConfigMap } from '../../generated/models.js';
import { Controller, type ReconcileResult } from '../../src/controller/controller.js';
import { jsonLogger } from '../../src/controller/json-logger.js';
import { LeaderElector } from '../../src/controller/leader-election.js';
import type { LeaseObject } from '../../src/controller/lease-lock.js';
import { silentLogger } from '../../src/controller/logger.js';
import { Manager } from '../../src/controller/manager.js';
import { type ListableLeaseApi, ShardCoordinator } from '../../src/controller/sharding.js';
import { Informer } from '../../src/runtime/informer.js';
import { handleSource } from '../../src/runtime/lister-watcher.js';
import { fakeKube, type FakeKube } from 'kubefluent/testing';

const T0 = new Date('2030-01-01T00:00:00Z');

// The client's first write loads the generated schemas (real I/O, which no step of a fake clock
// waits for): load them once up front, as a test suite on the fake would.
beforeAll(() => loadSchemas());
const since = (kube: FakeKube): number => kube.fake.clock.now() - T0.getTime();

async function controllerOn(kube: FakeKube, reconcile: (key: string, retries: number) => ReconcileResult): Promise<{ stop: () => Promise<void> }> {
  const informer = new Informer<ConfigMap>(handleSource(kube.configmaps.namespace('default')));
  const ctl = new Controller<ConfigMap, FakeKube>({ name: 'clocked', for: informer, client: kube, logger: silentLogger, onError: () => undefined, reconcile: ({ key, retries }) => reconcile(key, retries) });
  await ctl.start();
  await kube.fake.clock.advanceAsync(0);
  return { stop: () => ctl.stop() };
}

describe('controllers on the fake clock', () => {
  it('a reconciler returning requeueAfterMs 30 000 runs again exactly when the clock passes 30 s', async () => {
    const kube = fakeKube({ now: T0, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' } }] });
    const runs: number[] = [];
    const { stop } = await controllerOn(kube, () => {
      runs.push(since(kube));
      return { requeueAfterMs: 30_000 };
    });
    expect(runs).toEqual([0]);
    await kube.fake.clock.advanceAsync(29_999);
    expect(runs).toEqual([0]);
    await kube.fake.clock.advanceAsync(1);
    expect(runs).toEqual([0, 30_000]);
    await kube.fake.clock.advanceAsync(60_000);
    expect(runs).toEqual([0, 30_000, 60_000, 90_000]);
    await stop();
  });

  it("a failing reconcile retries on the per-key backoff: 5, 10, 20 … 2560 ms of fake time, retries counted; success forgets it", async () => {
    const kube = fakeKube({ now: T0, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' } }] });
    const runs: { at: number; retries: number }[] = [];
    let failing = true;
    const { stop } = await controllerOn(kube, (_key, retries) => {
      runs.push({ at: since(kube), retries });
      if (failing) throw new Error('not yet');
    });
    let at = 0;
    for (let n = 0; n < 10; n++) {
      const delay = 5 * 2 ** n;
      await kube.fake.clock.advanceAsync(delay - 1);
      expect(runs).toHaveLength(n + 1);
      await kube.fake.clock.advanceAsync(1);
      at += delay;
      expect(runs.at(-1)).toEqual({ at, retries: n + 1 });
    }
    failing = false;
    await kube.fake.clock.advanceAsync(5 * 2 ** 10);
    expect(runs).toHaveLength(12);
    // Succeeded: nothing is scheduled any more, however long the clock runs.
    await kube.fake.clock.advanceAsync(3_600_000);
    expect(runs).toHaveLength(12);
    await stop();
  });

  it('a 409 from the fake is retried after the first backoff step (5 ms of fake time)', async () => {
    const kube = fakeKube({ now: T0, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' } }] });
    const cms = kube.configmaps.namespace('default');
    const informer = new Informer<ConfigMap>(handleSource(cms));
    const attempts: number[] = [];
    const ctl = new Controller<ConfigMap, FakeKube>({
      name: 'conflicted', for: informer, client: kube, logger: silentLogger,
      reconcile: async ({ object }) => {
        attempts.push(since(kube));
        if (object?.data?.done === 'yes') return;
        await cms.patch('cfg', { data: { done: 'yes' } });
      },
    });
    kube.fake.failNext({ verb: 'patch' }, { code: 409 });
    await ctl.start();
    await kube.fake.clock.advanceAsync(4);
    expect(attempts).toEqual([0]);
    await kube.fake.clock.advanceAsync(1);
    expect(attempts.slice(0, 2)).toEqual([0, 5]);
    expect((await cms.get('cfg')).data).toEqual({ done: 'yes' });
    expect(ctl.metrics().conflicts).toBe(1);
    await ctl.stop();
  });
});

describe('leases on the fake clock', () => {
  it('a standby takes over only a lease duration (15 s) after the leader stopped renewing, never while it renews', async () => {
    const kube = fakeKube({ now: T0 });
    const leases = kube.resource('coordination.k8s.io/v1/leases').namespace('default');
    const started: [string, number][] = [];
    const stopped: [string, number][] = [];
    const elector = (identity: string) => new LeaderElector({
      leases, name: 'lock', identity, releaseOnCancel: false,
      onStartedLeading: () => void started.push([identity, since(kube)]),
      onStoppedLeading: () => void stopped.push([identity, since(kube)]),
    });
    const a = elector('a');
    const b = elector('b');
    const stopA = new AbortController();
    const stopB = new AbortController();
    const runA = a.run(stopA.signal);
    await kube.fake.clock.advanceAsync(0);
    const runB = b.run(stopB.signal);
    await kube.fake.clock.advanceAsync(0);
    expect(a.isLeader).toBe(true);
    expect(b.leader).toBe('a');
    // a renews every retry period (2 s): b stays standby for a minute of fake time.
    await kube.fake.clock.advanceAsync(60_000);
    expect(a.isLeader).toBe(true);
    expect(b.isLeader).toBe(false);
    const renewals = kube.fake.requests.filter((r) => r.verb === 'update' && (r.body as LeaseObject).spec?.holderIdentity === 'a').length;
    expect(renewals).toBe(30);
    // a's last renewal was at exactly 60 s; now it stops (a crash: the lease is not released).
    stopA.abort();
    await runA;
    const lastRenew = 60_000;
    await kube.fake.clock.advanceAsync(lastRenew + 15_000 - 1 - since(kube));
    expect(b.isLeader).toBe(false);
    expect(started.filter(([who]) => who === 'b')).toEqual([]);
    // b retries every 2–4.4 s and saw a's last record within one retry: it leads within 2 × 4.4 s more.
    await kube.fake.clock.advanceAsync(9_000);
    expect(b.isLeader).toBe(true);
    const [, tookOver] = started.find(([who]) => who === 'b')!;
    expect(tookOver).toBeGreaterThanOrEqual(lastRenew + 15_000);
    expect(tookOver).toBeLessThanOrEqual(lastRenew + 15_000 + 8_800);
    expect(stopped).toEqual([['a', 60_000]]);
    expect((await leases.get('lock')).spec?.leaseTransitions).toBe(1);
    stopB.abort();
    await runB;
  });

  it("sharding moves a silent member's shards to the other only after its leases expired, and the silent one stops them first", async () => {
    const kube = fakeKube({ now: T0 });
    const handle = kube.resource('coordination.k8s.io/v1/leases').namespace('default');
    let partitioned = false;
    const cut = <R>(call: () => Promise<R>): Promise<R> => (partitioned ? Promise.reject(new Error('network partition')) : call());
    // y's view of the API server: the same handle, until the test cuts y off (its clock is the handle's).
    const yApi: ListableLeaseApi = {
      clock: handle.clock,
      get: (name, o) => cut(() => handle.get(name, o)),
      create: (obj, o) => cut(() => handle.create(obj as never, o)),
      replace: (obj, o) => cut(() => handle.replace(obj as never, o)),
      list: (o) => cut(() => handle.list(o)),
    };
    const acquired: [string, number, number][] = [];
    const lost: [string, number, number][] = [];
    const member = (identity: string, leases: ListableLeaseApi) => new ShardCoordinator({
      leases, name: 'rebal', identity, shards: 4,
      onAcquired: (shard) => void acquired.push([identity, shard, since(kube)]),
      onReleased: (shard, wasLost) => void (wasLost && lost.push([identity, shard, since(kube)])),
    });
    const x = member('x', handle);
    const y = member('y', yApi);
    const stopX = new AbortController();
    const stopY = new AbortController();
    const runs = [x.run(stopX.signal), y.run(stopY.signal)];
    await kube.fake.clock.advanceAsync(10_000);
    expect(x.assignment().held).toHaveLength(2);
    const yHeld = y.assignment().held;
    expect(yHeld).toHaveLength(2);
    // Both ticked (and renewed) at 10 s; from now on y reaches nothing.
    const cutAt = since(kube);
    partitioned = true;
    await kube.fake.clock.advanceAsync(10_000);
    // y's renew deadline (10 s) passed: it stopped its shards itself.
    expect(y.assignment().held).toEqual([]);
    expect(lost.map(([who, shard]) => [who, shard]).sort()).toEqual(yHeld.map((s) => ['y', s]));
    for (const [, , at] of lost) expect(at).toBeLessThanOrEqual(cutAt + 10_000);
    await kube.fake.clock.advanceAsync(cutAt + 15_000 - 1 - since(kube));
    expect(x.assignment().held).toHaveLength(2);
    await kube.fake.clock.advanceAsync(4_001);
    expect(x.assignment().held).toEqual([0, 1, 2, 3]);
    expect(x.assignment().members).toEqual(['x']);
    for (const s of yHeld) {
      const [, , at] = acquired.find(([who, shard]) => who === 'x' && shard === s)!;
      expect(at).toBeGreaterThanOrEqual(cutAt + 15_000);
    }
    stopX.abort();
    stopY.abort();
    await kube.fake.clock.advanceAsync(0);
    await Promise.all(runs);
  });

  it('a Manager on the fake Kube: a leader-only controller reconciles once elected, and stop() gives in-flight work its 30 s grace period of fake time', async () => {
    const kube = fakeKube({ now: T0, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' } }] });
    const lines: string[] = [];
    const mgr = new Manager({
      identity: 'solo', logger: jsonLogger({ write: (l) => void lines.push(l) }),
      leaderElection: { leases: kube.resource('coordination.k8s.io/v1/leases').namespace('default'), name: 'mgr' },
    });
    const started: number[] = [];
    const informer = new Informer<ConfigMap>(handleSource(kube.configmaps.namespace('default')));
    const ctl = new Controller<ConfigMap>({
      name: 'lead', for: informer, logger: silentLogger,
      // Stuck until its signal aborts: only the grace period ends it.
      reconcile: mgr.guard('lead', async ({ signal }) => {
        started.push(since(kube));
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      }),
    });
    mgr.add(ctl, 'leader');
    await mgr.start();
    await kube.fake.clock.advanceAsync(0);
    expect(mgr.elector?.isLeader).toBe(true);
    expect(started).toEqual([0]);
    let stopped = false;
    const stopping = mgr.stop().then(() => void (stopped = true));
    await kube.fake.clock.advanceAsync(29_999);
    expect(stopped).toBe(false);
    await kube.fake.clock.advanceAsync(1);
    await stopping;
    expect(lines.some((l) => l.includes('grace period over'))).toBe(true);
    expect((await kube.resource('coordination.k8s.io/v1/leases').namespace('default').get('mgr')).spec?.holderIdentity).toBe('');
  });
});
