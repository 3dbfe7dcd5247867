// Integration (a private real control plane started here with startTestEnv — kube-apiserver,
// etcd, controller-manager, scheduler, kwok — because the API server is restarted; real
// separate replica processes): the API server restarts while a leader acts. The leader either
// keeps renewing or steps down cleanly; leadership periods never overlap and the journal shows
// no object reconciled by two replicas at once. Lease 3 s, renew deadline 2 s, retry 0.5 s.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import { startTestEnv, type TestEnv } from '../../testenv/index.js';
import { overlaps, readJournal, type Replica, spawnReplica, waitUntil } from './support/processes.js';

const OBJECTS = 30;
let env: TestEnv;
let kube: Kube;
const ns = 'restart';
const dir = mkdtempSync(join(tmpdir(), 'kf-restart-'));
const journal = join(dir, 'journal.jsonl');
const rs: Replica[] = [];

beforeAll(async () => {
  env = await startTestEnv({ nodes: 1 });
  kube = await Kube.connect({ kubeconfig: env.kubeconfigPath });
  await kube.namespaces.create({ metadata: { name: ns } });
  const cms = kube.resource('v1/configmaps').namespace(ns);
  await Promise.all(Array.from({ length: OBJECTS }, (_, i) => cms.create({ metadata: { name: `obj-${i}`, labels: { app: 'rs' } }, data: { want: 'r0' } })));
});

afterAll(async () => {
  for (const r of rs) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
  await kube?.close();
  await env?.stop();
});

/** [start, end] of each leadership period of a replica, from its log (wall clock, one machine). */
function periods(r: Replica, until: number): { replica: string; from: number; to: number }[] {
  const out: { replica: string; from: number; to: number }[] = [];
  let from: number | undefined;
  for (const l of r.lines) {
    const t = Date.parse(l.time);
    if (l.msg === 'started leading') from = t;
    if ((l.msg === 'leadership lost' || l.msg === 'stopped leading') && from !== undefined) {
      out.push({ replica: r.id, from, to: t });
      from = undefined;
    }
  }
  if (from !== undefined) out.push({ replica: r.id, from, to: until });
  return out;
}

describe('the API server restarted during leadership', () => {
  it('the leader keeps renewing or steps down cleanly; never two leaders acting', async () => {
    for (const id of ['x-a', 'x-b', 'x-c']) {
      rs.push(spawnReplica(id, {
        kubeconfig: env.kubeconfigPath, namespace: ns, journal, mode: 'leader', set: 'rs',
        'lease-ms': '3000', 'renew-ms': '2000', 'retry-ms': '500', 'work-ms': '50',
      }));
    }
    await Promise.all(rs.map((r) => r.waitFor((l) => l.msg === 'replica ready', 60_000, 'ready')));
    const cms = kube.resource('v1/configmaps').namespace(ns);
    const converged = async (round: string) => (await cms.list({ labelSelector: { app: 'rs' } })).items.every((c) => c.data?.handled === round);
    await waitUntil(() => converged('r0'), 30_000, 'r0 handled');
    // Work keeps arriving around the restart.
    let round = 0;
    let pumping = true;
    const pump = (async () => {
      while (pumping) {
        round++;
        await Promise.all(Array.from({ length: OBJECTS }, (_, i) => cms.patch(`obj-${i}`, { data: { want: `p${round}` } }))).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    await env.restartApiServer();
    console.log(`[leader] API server restarted in ${Date.now() - t0} ms`);
    await new Promise((r) => setTimeout(r, 6000));
    pumping = false;
    await pump;
    await waitUntil(() => converged(`p${round}`), 60_000, 'convergence after the restart');
    const now = Date.now();
    const all = rs.flatMap((r) => periods(r, now)).sort((a, b) => a.from - b.from);
    console.log(`[leader] leadership periods: ${JSON.stringify(all.map((p) => ({ ...p, from: p.from - t0, to: p.to - t0 })))}`);
    for (let i = 1; i < all.length; i++) expect((all[i] as { from: number }).from).toBeGreaterThanOrEqual((all[i - 1] as { to: number }).to);
    const lost = rs.flatMap((r) => r.lines.filter((l) => l.msg === 'leadership lost').map(() => r.id));
    console.log(`[leader] after the restart: ${lost.length === 0 ? 'the leader kept renewing' : `the leader stepped down (${lost.join(', ')}) and ${all[all.length - 1]?.replica} leads`}`);
    const entries = readJournal(journal);
    expect(overlaps(entries)).toEqual([]);
    // Every reconcile starts inside a leadership period of its replica and ends soon after it at the latest
    // (a loss aborts the reconciles' signal; 5 ms of slack between the two wall clocks of one process).
    for (const e of entries) {
      expect(all.some((p) => p.replica === e.replica && e.start >= p.from - 5 && e.start <= p.to + 5 && e.end <= p.to + 500)).toBe(true);
    }
  }, 300_000);
});
