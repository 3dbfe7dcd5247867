/**
 * One replica of the shard-scaling benchmark, in its own process: a Manager with sharding
 * (Leases) running one Controller over the ConfigMaps labelled app=<label>, whose reconciler
 * waits `workMs` (the I/O a real reconciler waits on) and writes nothing. Reconciles wait
 * for "go" on stdin, so the timed span starts once every replica holds its shards; each one
 * appends {replica, key, start, end} to the shared journal (O_APPEND, one write per line).
 */
import { appendFileSync } from 'node:fs';
import { load, params } from '../lib/child.js';
import type { Ours } from '../lib/peer-types.js';

type OursController = typeof import('../../src/controller.js');
interface Params {
  readonly ours: string;
  readonly controller: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly label: string;
  readonly set: string;
  readonly identity: string;
  readonly shards: number;
  readonly workers: number;
  readonly workMs: number;
  readonly journal: string;
}

const p = params<Params>();
const { Kube, informer, handleSource } = await load<Ours>(p.ours);
const { Manager, Controller, silentLogger, jsonLogger } = await load<OursController>(p.controller);
let go!: () => void;
const started = new Promise<void>((r) => (go = r));
process.stdin.on('data', (d: Buffer) => void (d.toString().includes('go') && go()));

const kube = await Kube.connect({ kubeconfig: p.kubeconfig });
const leases = kube.resource('coordination.k8s.io/v1/leases').namespace(p.namespace);
const manager = new Manager({
  identity: p.identity, gracePeriodMs: 5_000,
  logger: jsonLogger({ level: 'warn', write: (line) => void process.stderr.write(line), fields: { replica: p.identity } }),
  // Shortened like the sharding tests: a run lasts seconds, not minutes.
  sharding: { leases: leases as never, name: p.set, shards: p.shards, leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 },
});
const cms = kube.configmaps.namespace(p.namespace);
const source = informer(handleSource(cms, { labelSelector: { app: p.label } }));
const controller = new Controller({
  name: 'configmaps', for: source, maxConcurrent: p.workers, logger: silentLogger,
  reconcile: manager.guard('configmaps', async (ctx) => {
    await started;
    const start = performance.timeOrigin + performance.now();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, p.workMs);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    appendFileSync(p.journal, `${JSON.stringify({ replica: p.identity, key: ctx.key, start, end: performance.timeOrigin + performance.now(), aborted: ctx.signal.aborted })}\n`);
  }),
});
manager.add(controller, 'sharded');
manager.handleSignals();
await manager.start();
process.stdout.write('READY\n');
