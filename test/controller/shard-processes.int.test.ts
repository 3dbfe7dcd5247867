// Integration (the real local control plane: kube-apiserver + etcd; real separate processes
// of test/controller/support/replica.ts): sharding over Leases. 3 replicas, 16 shards, 1,000
// ConfigMaps. Lease timings shortened for CI time: lease 3 s, renew deadline 2 s, retry 0.5 s.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import { expfmtBinary, expfmtParse } from './support/expfmt.js';
import { overlaps, readJournal, type Replica, spawnReplica, waitUntil } from './support/processes.js';

const SHARDS = 16;
const OBJECTS = 1000;

let kube: Kube;
let ns: string;
const dir = mkdtempSync(join(tmpdir(), 'kf-shard-'));
const all: Replica[] = [];

function start(id: string, set: string, journal: string, extra: Record<string, string> = {}): Replica {
  const r = spawnReplica(id, {
    kubeconfig: inject('kubeconfig'), namespace: ns, journal, mode: 'sharded', set, shards: String(SHARDS),
    'lease-ms': '3000', 'renew-ms': '2000', 'retry-ms': '500', 'work-ms': '50', workers: '2', 'grace-ms': '5000', ...extra,
  });
  all.push(r);
  return r;
}

async function holders(set: string): Promise<Map<string, number>> {
  const list = await kube.resource('coordination.k8s.io/v1/leases').namespace(ns).list({ labelSelector: { 'kubefluent.dev/shard-set': set, 'kubefluent.dev/shard-role': 'shard' } });
  const m = new Map<string, number>();
  for (const l of list.items) {
    const h = l.spec?.holderIdentity ?? '';
    if (h !== '') m.set(h, (m.get(h) ?? 0) + 1);
  }
  return m;
}

const spread = (m: Map<string, number>) => [...m.values()].sort((a, b) => a - b).join('/');

async function createObjects(set: string, n: number): Promise<void> {
  const cms = kube.resource('v1/configmaps').namespace(ns);
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => cms.create({ metadata: { name: `${set}-${i + j}`, labels: { app: set } }, data: { want: 'r0' } })));
  }
}

async function bump(set: string, round: string, n: number): Promise<void> {
  const cms = kube.resource('v1/configmaps').namespace(ns);
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => cms.patch(`${set}-${i + j}`, { data: { want: round } })));
  }
}

let behind = 0;
async function converged(set: string, round: string): Promise<boolean> {
  const list = await kube.resource('v1/configmaps').namespace(ns).list({ labelSelector: { app: set } });
  behind = list.items.filter((c) => c.data?.handled !== round).length;
  return behind === 0;
}

beforeAll(async () => {
  expfmtBinary();
  kube = await Kube.connect({ kubeconfig: inject('kubeconfig') });
  ns = `shard-${Date.now().toString(36)}`;
  await kube.namespaces.create({ metadata: { name: ns } });
});

afterAll(async () => {
  for (const r of all) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
  await kube?.namespaces.delete(ns).catch(() => undefined);
  await kube?.close();
});

describe('sharding across three processes', () => {
  it('16 shards spread 5/5/6; kill -9 one → taken over, all converge; restart → rebalanced; SIGTERM drains; no overlap', async () => {
    const journal = join(dir, 'shards.jsonl');
    await createObjects('s', OBJECTS);
    const rs = ['s-a', 's-b', 's-c'].map((id) => start(id, 's', journal));
    await Promise.all(rs.map((r) => r.waitFor((l) => l.msg === 'replica ready', 60_000, 'ready')));
    await waitUntil(async () => spread(await holders('s')) === '5/5/6', 30_000, 'a 5/5/6 spread', () => 'see leases');
    // 1,000 reconciles of 50 ms + a PATCH each on a shared 2-core machine: allow for a loaded API server.
    await waitUntil(() => converged('s', 'r0'), 150_000, 'first convergence', () => ({ behind }));
    // Membership and assignment as /metrics shows them.
    const fams = expfmtParse(await (await fetch(`http://127.0.0.1:${rs[0]?.port()}/metrics`)).text());
    expect(fams.find((f) => f.name === 'kubefluent_shard_members')?.metrics[0]?.value).toBe('3');
    expect(['5', '6']).toContain(fams.find((f) => f.name === 'kubefluent_shards_held')?.metrics[0]?.value);

    // kill -9 one replica: its shards are taken over after the lease expires; everything converges.
    const victim = rs[1] as Replica;
    const killedAt = Date.now();
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const takeover = await waitUntil(async () => spread(await holders('s')) === '8/8', 20_000, 'an 8/8 spread');
    console.log(`[shard] 8/8 after kill -9 in ${Date.now() - killedAt} ms (polled ${takeover} ms)`);
    await bump('s', 'r1', OBJECTS);
    await waitUntil(() => converged('s', 'r1'), 150_000, 'convergence after the kill');

    // Start it again: rebalanced, and the hand-over of each shard measured from the logs.
    const back = start('s-b', 's', journal);
    await back.waitFor((l) => l.msg === 'replica ready', 60_000, 'ready again');
    const t0 = Date.now();
    await waitUntil(async () => spread(await holders('s')) === '5/5/6', 30_000, 'rebalanced 5/5/6');
    console.log(`[shard] rebalanced 5/5/6 in ${Date.now() - t0} ms after the restart`);
    const releases = rs.filter((r) => r !== victim).flatMap((r) => r.lines.map((l, i) => ({ l, at: r.arrived[i] as number }))).filter((x) => x.l.msg === 'shard released' && x.at >= t0);
    const perShard = releases.map((x) => {
      const i = back.lines.findIndex((l) => l.msg === 'shard acquired' && l.shard === x.l.shard);
      return i < 0 ? undefined : (back.arrived[i] as number) - x.at;
    }).filter((x): x is number => x !== undefined);
    expect(perShard.length).toBeGreaterThan(0);
    console.log(`[shard] hand-over per shard (released → acquired): median ${perShard.sort((a, b) => a - b)[Math.floor(perShard.length / 2)]} ms, max ${Math.max(...perShard)} ms over ${perShard.length}`);
    await bump('s', 'r2', OBJECTS);
    await waitUntil(() => converged('s', 'r2'), 150_000, 'convergence after the restart');

    // SIGTERM one replica during a burst: in-flight finish, nothing new starts, exit in grace, shards released.
    const leaving = rs[2] as Replica;
    void bump('s', 'r3', OBJECTS);
    await new Promise((r) => setTimeout(r, 500));
    const termAt = Date.now();
    leaving.proc.kill('SIGTERM');
    const exit = await leaving.exited;
    console.log(`[shard] SIGTERM during a burst: exited after ${exit.at - termAt} ms, code ${exit.code}`);
    expect(exit.code).toBe(0);
    expect(exit.at - termAt).toBeLessThan(5000 + 2000);
    const stopLine = leaving.lines.find((l) => l.msg === 'signal: stopping');
    const mine = readJournal(journal).filter((e) => e.replica === 's-c' && e.pid === leaving.proc.pid);
    expect(mine.filter((e) => e.start > Date.parse(stopLine?.time as string) + 5)).toHaveLength(0);
    expect(mine.every((e) => !e.aborted)).toBe(true);
    const h = await holders('s');
    expect(h.has('s-c')).toBe(false);
    await waitUntil(async () => spread(await holders('s')) === '8/8', 20_000, '8/8 after the SIGTERM');
    await waitUntil(() => converged('s', 'r3'), 150_000, 'convergence after the SIGTERM');

    const entries = readJournal(journal);
    expect(overlaps(entries)).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(OBJECTS * 4);
  }, 480_000);

  it('a 50 ms I/O-bound reconciler: three replicas do the work about three times as fast as one', async () => {
    const n = 480;
    await createObjects('t', n);
    // The work is staged before the replicas start (every object already wants the round), so
    // the supply is the initial list, not the API server's write rate; the reconciler waits
    // 50 ms and writes nothing (--write false), so the shared API server is not what is measured.
    // Throughput from the journal: n keys over the span from the first start to the last end.
    const rate = async (ids: string[], round: string): Promise<{ perSec: number; spanMs: number; byReplica: Record<string, number> }> => {
      const journal = join(dir, `throughput-${ids.length}.jsonl`);
      await bump('t', round, n);
      const rs = ids.map((id) => start(id, 't', journal, { write: 'false' }));
      const done = () => new Set(readJournal(journal).filter((e) => e.want === round).map((e) => e.key)).size === n;
      await waitUntil(done, 120_000, `every key reconciled for ${round}`);
      for (const r of rs) r.proc.kill('SIGTERM');
      await Promise.all(rs.map((r) => r.exited));
      const entries = readJournal(journal);
      expect(overlaps(entries)).toEqual([]);
      const first = new Map<string, (typeof entries)[number]>();
      for (const e of entries) if (e.want === round && !first.has(e.key)) first.set(e.key, e);
      const used = [...first.values()];
      const spanMs = Math.max(...used.map((e) => e.end)) - Math.min(...used.map((e) => e.start));
      const byReplica: Record<string, number> = {};
      for (const e of used) byReplica[e.replica] = (byReplica[e.replica] ?? 0) + 1;
      return { perSec: (n * 1000) / spanMs, spanMs, byReplica };
    };
    const one = await rate(['t-a'], 'r1');
    const three = await rate(['t-a', 't-b', 't-c'], 'r2');
    const ratio = three.perSec / one.perSec;
    console.log(`[shard] throughput, ${n} reconciles of 50 ms, 2 workers per replica: 1 replica ${one.perSec.toFixed(1)}/s (${Math.round(one.spanMs)} ms), 3 replicas ${three.perSec.toFixed(1)}/s (${Math.round(three.spanMs)} ms; ${JSON.stringify(three.byReplica)}) → ×${ratio.toFixed(2)}`);
    expect(Object.keys(three.byReplica)).toHaveLength(3);
    expect(ratio).toBeGreaterThan(2);
  }, 480_000);
});
