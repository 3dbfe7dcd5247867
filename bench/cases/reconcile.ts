/**
 * Reconcile: a controller with a trivial reconciler (ensure one owned ConfigMap per primary
 * ConfigMap) over N primaries that exist before it starts: reconciles per second, time until
 * every output exists, heap per tracked object (both caches), and the work queue's own cost
 * per key (time for add+get+done, heap per queued key) measured in-process without a server.
 * No peer: client-node has no controller runtime. Run alone:
 *   node --import tsx bench/cases/reconcile.ts '{"kubeconfig":"…","objects":2000}'
 */
import { randomBytes } from 'node:crypto';
import { Controller } from '../../src/controller/controller.js';
import { silentLogger } from '../../src/controller/logger.js';
import { setControllerReference } from '../../src/controller/owner-refs.js';
import { WorkQueue } from '../../src/controller/work-queue.js';
import { gc, params, report, run } from '../lib/child.js';
import type { OursWithRuntime } from '../lib/peer-types.js';

interface Params {
  /** The built kubefluent (dist or bundle) to take Kube and the runtime from; default the sources. */
  readonly oursRuntime?: string;
  readonly kubeconfig: string;
  readonly objects: number;
  readonly concurrency?: number;
}

const p = params<Params>();

async function queueCost(keys: number): Promise<{ nsPerKey: number; bytesPerKey: number }> {
  const names = Array.from({ length: keys }, (_, i) => `ns-${i % 50}/object-${i}`);
  const q = new WorkQueue<string>();
  // Warm-up, then the timed pass: add every key, add each again (deduplicated), take and finish each.
  for (const run of [0, 1]) {
    const t0 = process.hrtime.bigint();
    for (const k of names) q.add(k);
    for (const k of names) q.add(k);
    for (let k = q.tryGet(); k !== undefined; k = q.tryGet()) {
      q.done(k);
      q.forget(k);
    }
    const ns = Number(process.hrtime.bigint() - t0);
    if (run === 1) {
      gc();
      const before = process.memoryUsage().heapUsed;
      const held = new WorkQueue<string>();
      for (const k of names) held.add(k);
      gc();
      const bytes = (process.memoryUsage().heapUsed - before) / keys;
      if (held.length !== keys) throw new Error('queue lost keys');
      return { nsPerKey: ns / keys, bytesPerKey: bytes };
    }
  }
  throw new Error('unreachable');
}

run(async () => {
  const rt = (await import(p.oursRuntime ?? new URL('../../src/index.ts', import.meta.url).href)) as OursWithRuntime & typeof import('../../src/index.js');
  const kube = await rt.Kube.connect({ kubeconfig: p.kubeconfig, fieldManager: 'bench-reconcile' });
  const ns = `bench-reconcile-${randomBytes(3).toString('hex')}`;
  await kube.namespaces.create({ metadata: { name: ns } });
  const cms = kube.configmaps.namespace(ns);
  try {
    const n = p.objects;
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++;
        await cms.create({ metadata: { name: `src-${i}`, labels: { role: 'src' } }, data: { i: String(i) } });
      }
    }));
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const sources = rt.informer(rt.handleSource(cms, { labelSelector: { role: 'src' } }), { transform: rt.stripManagedFields });
    const outputs = rt.informer(rt.handleSource(cms, { labelSelector: { role: 'out' } }), { transform: rt.stripManagedFields });
    const stop = new AbortController();
    let done!: () => void;
    const converged = new Promise<void>((r) => (done = r));
    outputs.addEventHandler({ add: () => void (outputs.store.size >= n && done()) });
    const ctl = new Controller({
      name: 'bench', for: sources, owns: [{ informer: outputs as never }], maxConcurrent: p.concurrency ?? 16, logger: silentLogger,
      forOptions: { kind: 'ConfigMap', apiVersion: 'v1' },
      reconcile: async ({ object, name, owned, signal }) => {
        if (object === undefined || owned(outputs).length > 0) return;
        await cms.create(setControllerReference({ metadata: { name: `${name}-out`, namespace: ns, labels: { role: 'out' } }, data: object.data ?? {} }, { ...object, apiVersion: 'v1', kind: 'ConfigMap' }), { signal });
      },
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await ctl.start(stop.signal);
    const syncedMs = performance.now() - t0;
    await converged;
    const convergeMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const m = ctl.metrics();
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const heapPerObject = (process.memoryUsage().heapUsed - heap0) / (sources.store.size + outputs.store.size);
    await ctl.stop();
    stop.abort();
    const q = await queueCost(100_000);
    report({
      objects: n, syncMs: Math.round(syncedMs), convergeMs: Math.round(convergeMs), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      reconcilesPerSecond: Math.round(m.reconciles / ((convergeMs - syncedMs) / 1000)), reconciles: m.reconciles, errors: m.errors,
      heapPerObject: Math.round(heapPerObject), queueNsPerKey: Math.round(q.nsPerKey), queueBytesPerKey: Math.round(q.bytesPerKey),
    });
  } finally {
    await kube.namespaces.delete(ns).catch(() => undefined);
    await kube.close();
  }
});
