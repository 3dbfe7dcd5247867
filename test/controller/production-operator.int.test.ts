// Integration (the real local control plane; three real processes of examples/operator/main.ts
// under a Manager with leader election): the example operator replicated. Exactly one replica
// acts; kill -9 the leader and another takes over within lease + retry; WebApps created
// before and after converge (their Deployment exists). Lease 3 s, renew 2 s, retry 0.5 s.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import { waitUntil } from './support/processes.js';

const main = fileURLToPath(new URL('../../examples/operator/main.ts', import.meta.url));
const loader = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
let kube: Kube;
const ns = `opr-${Date.now().toString(36)}`;
const leaseNs = `opr-leases-${Date.now().toString(36)}`;
const procs = new Map<string, { p: ChildProcess; lines: { msg: string; [k: string]: unknown }[]; arrived: number[] }>();

function run(id: string): void {
  const p = spawn(process.execPath, ['--import', loader, main, '--kubeconfig', inject('kubeconfig'), '--namespace', ns, '--replica-id', id, '--lease-namespace', leaseNs,
    '--lease-ms', '3000', '--renew-ms', '2000', '--retry-ms', '500', '--metrics-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const rec = { p, lines: [] as { msg: string }[], arrived: [] as number[] };
  let buf = '';
  p.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      try {
        rec.lines.push(JSON.parse(buf.slice(0, i)) as { msg: string });
        rec.arrived.push(Date.now());
      } catch { /* not JSON */ }
      buf = buf.slice(i + 1);
    }
  });
  procs.set(id, rec);
}

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig: inject('kubeconfig') });
  await kube.namespaces.create({ metadata: { name: ns } });
  await kube.namespaces.create({ metadata: { name: leaseNs } });
});

afterAll(async () => {
  // The WebApps carry the operator's finalizer: delete them while a replica still runs.
  const apps = kube.customResource({ group: 'example.kubefluent.dev', version: 'v1', kind: 'WebApp', plural: 'webapps', namespaced: true }).namespace(ns);
  await apps.deleteCollection().catch(() => undefined);
  await waitUntil(async () => (await apps.list()).items.length === 0, 30_000, 'WebApps finalized').catch(() => undefined);
  for (const { p } of procs.values()) if (p.exitCode === null) p.kill('SIGKILL');
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.namespaces.delete(leaseNs).catch(() => undefined);
  await kube.close();
});

describe('the example operator, three replicas under a Manager', () => {
  it('one leader acts; kill -9 → a successor within lease + retry; WebApps converge throughout', async () => {
    for (const id of ['op-a', 'op-b', 'op-c']) run(id);
    await waitUntil(() => [...procs.values()].every((r) => r.lines.some((l) => l.msg === 'webapp operator replica running')), 90_000, 'three replicas running');
    const leases = kube.resource('coordination.k8s.io/v1/leases').namespace(leaseNs);
    const holder = async () => (await leases.getOrUndefined('webapp-operator'))?.spec?.holderIdentity ?? '';
    await waitUntil(async () => (await holder()) !== '', 10_000, 'a leader');
    const apps = kube.customResource({ group: 'example.kubefluent.dev', version: 'v1', kind: 'WebApp', plural: 'webapps', namespaced: true }).namespace(ns);
    const deps = kube.resource('apps/v1/deployments').namespace(ns);
    const mk = (i: number) => apps.create({ apiVersion: 'example.kubefluent.dev/v1', kind: 'WebApp', metadata: { name: `app-${i}` }, spec: { image: 'nginx:1.27', replicas: 1, port: 8080 } } as never);
    for (let i = 0; i < 5; i++) await mk(i);
    await waitUntil(async () => (await deps.list()).items.length === 5, 60_000, 'five Deployments');
    const leaderId = await holder();
    const leading = [...procs].filter(([, r]) => r.lines.some((l) => l.msg === 'started leading')).map(([id]) => id);
    expect(leading).toEqual([leaderId]);
    const killedAt = Date.now();
    procs.get(leaderId)?.p.kill('SIGKILL');
    await waitUntil(async () => { const h = await holder(); return h !== '' && h !== leaderId; }, 15_000, 'a new leader');
    const next = procs.get(await holder());
    // The Lease may name it a moment before its log line comes through the pipe.
    await waitUntil(() => next?.lines.some((l) => l.msg === 'started leading') === true, 5000, "the new leader's log line");
    const i = next?.lines.findIndex((l) => l.msg === 'started leading') ?? -1;
    const failover = (next?.arrived[i] as number) - killedAt;
    console.log(`[operator] fail-over after kill -9 of the leading operator replica: ${failover} ms`);
    expect(failover).toBeLessThan(3000 + 500 * 2.2 + 1000);
    for (let j = 5; j < 8; j++) await mk(j);
    await waitUntil(async () => (await deps.list()).items.length === 8, 60_000, 'eight Deployments');
  }, 240_000);
});
