/**
 * Runs the WebApp operator against the cluster kubectl would use (or --kubeconfig FILE):
 *   npm run operator -- [--kubeconfig FILE] [--namespace NS]
 * Installs the CRD and the registry namespace, then reconciles until Ctrl-C.
 *
 * Several replicas (each its own process) run under a Manager:
 *   npm run operator -- --replica-id a --leader-elect [--metrics-port 8080]   one leader acts
 *   npm run operator -- --replica-id a --shards 16 [--metrics-port 8080]      keys split over shards
 * with /healthz, /readyz and /metrics on the port, JSON-line logs, SIGTERM draining, and the
 * Leases in --lease-namespace (default: the registry namespace).
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';
import { consoleLogger, jsonLogger, type LeaseApi, type ListableLeaseApi, type Logger, Manager } from 'kubefluent/controller';
import { install } from './install.js';
import { DEFAULT_REGISTRY_NAMESPACE, startOperator } from './operator.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' }, namespace: { type: 'string' },
    'replica-id': { type: 'string' }, 'leader-elect': { type: 'boolean', default: false }, shards: { type: 'string' },
    'metrics-port': { type: 'string' }, 'lease-namespace': { type: 'string' }, 'grace-ms': { type: 'string' },
    // Lease timings; client-go's defaults (15 000 / 10 000 / 2 000) when omitted.
    'lease-ms': { type: 'string' }, 'renew-ms': { type: 'string' }, 'retry-ms': { type: 'string' },
  },
});
const kube = await Kube.connect({ fieldManager: 'webapp-operator', ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}) });
await install(kube);
const replicated = values['replica-id'] !== undefined || values['leader-elect'] === true || values.shards !== undefined;

if (!replicated) {
  const logger: Logger = { ...consoleLogger, info: (m, f) => console.log(m, f ?? '') };
  const operator = await startOperator({ kube, logger, ...(values.namespace ? { namespace: values.namespace } : {}) });
  console.log(`webapp operator running against ${kube.config.server}${values.namespace ? ` (namespace ${values.namespace})` : ''}; Ctrl-C stops it`);

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    await operator.stop();
    await kube.close();
    const m = operator.controller.metrics();
    console.log(`stopped after ${m.reconciles} reconciles (${m.errors} errors, ${m.conflicts} conflicts retried)`);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
} else {
  const identity = values['replica-id'] ?? `webapp-${process.pid}`;
  const timings = {
    ...(values['lease-ms'] !== undefined ? { leaseDurationMs: Number(values['lease-ms']) } : {}),
    ...(values['renew-ms'] !== undefined ? { renewDeadlineMs: Number(values['renew-ms']) } : {}),
    ...(values['retry-ms'] !== undefined ? { retryPeriodMs: Number(values['retry-ms']) } : {}),
  };
  const logger = jsonLogger({ fields: { replica: identity }, write: (l) => void process.stdout.write(l) });
  const leases = kube.resource('coordination.k8s.io/v1/leases').namespace(values['lease-namespace'] ?? DEFAULT_REGISTRY_NAMESPACE);
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  const manager = new Manager({
    identity, logger,
    ...(values['metrics-port'] !== undefined ? { healthPort: Number(values['metrics-port']) } : {}),
    ...(values['grace-ms'] !== undefined ? { gracePeriodMs: Number(values['grace-ms']) } : {}),
    ...(shards !== undefined
      ? { sharding: { leases: leases as unknown as ListableLeaseApi, name: 'webapp-operator', shards, ...timings } }
      : { leaderElection: { leases: leases as unknown as LeaseApi, name: 'webapp-operator', ...timings } }),
  });
  const operator = await startOperator({
    kube, logger, start: false, guard: (r) => manager.guard('webapp', r),
    ...(values.namespace ? { namespace: values.namespace } : {}),
  });
  manager.add(operator.controller, shards !== undefined ? 'sharded' : 'leader');
  manager.handleSignals();
  await manager.start();
  logger.info('webapp operator replica running', { server: kube.config.server, port: manager.port, mode: shards !== undefined ? `sharded/${shards}` : 'leader' });
}
