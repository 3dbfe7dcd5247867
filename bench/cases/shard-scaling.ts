/**
 * shard-scaling: `replicas` replica processes (shard-replica case) share `shards` shards
 * over Leases and reconcile `objects` ConfigMaps with a 50 ms I/O-bound reconciler (2
 * workers each). Once every shard is held by its fair-share owner, "go" releases the
 * reconcilers; throughput = distinct keys reconciled per second, from "go" to the last end.
 * The runner divides the 3-replica throughput by the 1-replica one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { load, params, pool, report, run } from '../lib/child.js';
import type { Ours } from '../lib/peer-types.js';

interface Params {
  readonly node: string;
  readonly replicaScript: string;
  readonly ours: string;
  readonly controller: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly objects: number;
  readonly replicas: number;
  readonly shards: number;
  readonly workers: number;
  readonly workMs: number;
  readonly journal: string;
  /** Names this run's Lease set (fresh per run). */
  readonly set: string;
}

const p = params<Params>();
const LABEL = 'bench-shard';

interface Entry { readonly replica: string; readonly key: string; readonly start: number; readonly end: number; readonly aborted: boolean }
const journal = (): Entry[] => (existsSync(p.journal) ? readFileSync(p.journal, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Entry) : []);

function spawnReplica(identity: string): Promise<ChildProcess> {
  const child = spawn(p.node, [p.replicaScript, JSON.stringify({
    ours: p.ours, controller: p.controller, kubeconfig: p.kubeconfig, namespace: p.namespace, label: LABEL, set: p.set, identity,
    shards: p.shards, workers: p.workers, workMs: p.workMs, journal: p.journal,
  })], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY\n')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`replica ${identity} exited ${code}: ${err}`)));
  });
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`shard-scaling: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

run(async () => {
  const { Kube } = await load<Ours>(p.ours);
  const kube = await Kube.connect({ kubeconfig: p.kubeconfig });
  const cms = kube.configmaps.namespace(p.namespace);
  // The objects, once per namespace (later runs find them).
  const have = new Set((await cms.list({ labelSelector: { app: LABEL } })).items.map((c) => c.metadata?.name));
  await pool(p.objects, 32, async (i) => {
    const name = `shard-${i}`;
    if (!have.has(name)) await cms.create({ metadata: { name, labels: { app: LABEL } }, data: { i: String(i) } });
  });
  rmSync(p.journal, { force: true });
  const ids = Array.from({ length: p.replicas }, (_, i) => `${p.set}-r${i}`);
  const children = await Promise.all(ids.map(spawnReplica));
  try {
    // Every shard held, and spread by fair share (e.g. 16/16/16 of 48).
    const leases = kube.resource('coordination.k8s.io/v1/leases').namespace(p.namespace);
    const want = Array.from({ length: p.replicas }, (_, j) => Math.floor(p.shards / p.replicas) + (j < p.shards % p.replicas ? 1 : 0)).sort().join('/');
    let spread = '';
    await until(`every shard held (last seen ${spread || 'none'})`, 60_000, async () => {
      const list = await leases.list({ labelSelector: { 'kubefluent.dev/shard-set': p.set, 'kubefluent.dev/shard-role': 'shard' } });
      const by = new Map<string, number>();
      for (const l of list.items) {
        const h = (l as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '';
        if (h !== '') by.set(h, (by.get(h) ?? 0) + 1);
      }
      spread = [...by.values()].sort().join('/');
      return spread === want;
    });
    const t0 = performance.timeOrigin + performance.now();
    for (const c of children) c.stdin!.write('go\n');
    const done = (): Set<string> => new Set(journal().filter((e) => !e.aborted).map((e) => e.key));
    await until('every key reconciled', 300_000, () => done().size >= p.objects);
    const entries = journal().filter((e) => !e.aborted);
    const first = new Map<string, Entry>();
    for (const e of entries) if (!first.has(e.key)) first.set(e.key, e);
    const used = [...first.values()];
    const spanMs = Math.max(...used.map((e) => e.end)) - t0;
    const byReplica = new Map<string, number>();
    for (const e of used) byReplica.set(e.replica, (byReplica.get(e.replica) ?? 0) + 1);
    report({ keysPerSec: (p.objects * 1000) / spanMs, spanMs, largestShare: Math.max(...byReplica.values()) / p.objects, reconciles: entries.length });
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await kube.close();
  }
});
