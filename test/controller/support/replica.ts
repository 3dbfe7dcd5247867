/**
 * One replica of a test controller, run as its own process by the multi-process tests
 * (`tsx test/controller/support/replica.ts --replica-id r-1 …`). It reconciles ConfigMaps
 * labelled `app=<set>` in one namespace under a Manager (leader election or sharding), with a
 * reconciler that takes `--work-ms` of I/O (a timer) and then writes `data.handled = data.want`.
 * Every reconcile appends {replica, pid, key, start, end (wall ms, sub-ms), monoStart, monoEnd
 * (process.hrtime ms)} to the shared journal with O_APPEND (one write per line).
 * Manager logs go to stdout as JSON lines; the test reads them for leadership and ports.
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ConfigMap } from '../../../generated/models.js';
import { resources } from '../../../generated/resources.js';
import { Controller } from '../../../src/controller/controller.js';
import { jsonLogger } from '../../../src/controller/json-logger.js';
import type { LeaseApi } from '../../../src/controller/lease-lock.js';
import { Manager } from '../../../src/controller/manager.js';
import type { ListableLeaseApi } from '../../../src/controller/sharding.js';
import { Kube } from '../../../src/kube.js';
import { informer } from '../../../src/runtime/informer.js';
import { resourceSource } from '../../../src/runtime/lister-watcher.js';

const { values: a } = parseArgs({
  options: {
    kubeconfig: { type: 'string' }, namespace: { type: 'string' }, set: { type: 'string', default: 'kf' },
    'replica-id': { type: 'string' }, journal: { type: 'string' }, mode: { type: 'string', default: 'leader' },
    shards: { type: 'string', default: '16' }, 'work-ms': { type: 'string', default: '50' }, workers: { type: 'string', default: '2' },
    'lease-ms': { type: 'string', default: '3000' }, 'renew-ms': { type: 'string', default: '2000' }, 'retry-ms': { type: 'string', default: '500' },
    'grace-ms': { type: 'string', default: '10000' }, write: { type: 'string', default: 'true' }, 'metrics-port': { type: 'string', default: '0' },
  },
});
const id = a['replica-id'] as string;
const ns = a.namespace as string;
const journal = a.journal as string;
const workMs = Number(a['work-ms']);
const log = jsonLogger({ level: 'info', write: (l) => void process.stdout.write(l), fields: { replica: id } });
const kube = await Kube.connect({ kubeconfig: a.kubeconfig as string, fieldManager: 'kf-replica' });
const leases = kube.resource('coordination.k8s.io/v1/leases').namespace(ns);
const timings = { leaseDurationMs: Number(a['lease-ms']), renewDeadlineMs: Number(a['renew-ms']), retryPeriodMs: Number(a['retry-ms']) };
const mode = a.mode === 'sharded' ? 'sharded' : 'leader';
const manager = new Manager({
  identity: id, logger: log, healthPort: Number(a['metrics-port']), healthHost: '127.0.0.1', gracePeriodMs: Number(a['grace-ms']),
  ...(mode === 'leader'
    ? { leaderElection: { leases: leases as unknown as LeaseApi, name: `${a.set}-leader`, ...timings } }
    : { sharding: { leases: leases as unknown as ListableLeaseApi, name: a.set as string, shards: Number(a.shards), ...timings } }),
});
const cms = kube.resource('v1/configmaps').namespace(ns);
const source = informer<ConfigMap>(resourceSource<ConfigMap>(kube.transport, resources['v1/configmaps'], { namespace: ns, labelSelector: { app: a.set as string } }));
const wall = (): number => performance.timeOrigin + performance.now();
const mono = (): number => Number(process.hrtime.bigint()) / 1e6;

const controller = new Controller<ConfigMap, undefined>({
  name: 'configmaps', for: source, maxConcurrent: Number(a.workers), logger: log,
  reconcile: manager.guard('configmaps', async (ctx) => {
    const start = wall();
    const monoStart = mono();
    // The I/O a real reconciler waits on; the lease's signal cuts it short when leadership goes.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, workMs);
      ctx.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    const want = ctx.object?.data?.want;
    let wrote = false;
    if (a.write === 'true' && !ctx.signal.aborted && ctx.object !== undefined && want !== undefined && ctx.object.data?.handled !== want) {
      await cms.patch(ctx.name, { data: { handled: want, by: id } }, { signal: ctx.signal });
      wrote = true;
    }
    appendFileSync(journal, `${JSON.stringify({ replica: id, pid: process.pid, key: ctx.key, want, start, end: wall(), monoStart, monoEnd: mono(), wrote, aborted: ctx.signal.aborted })}\n`);
  }),
});
manager.add(controller, mode);
manager.handleSignals();
await manager.start();
log.info('replica ready', { port: manager.port, pid: process.pid });
