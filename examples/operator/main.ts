/**
 * Runs the WebApp operator against the cluster kubectl would use (or --kubeconfig FILE):
 *   npm run operator -- [--kubeconfig FILE] [--namespace NS]
 * Installs the CRD and the registry namespace, then reconciles until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';
import { consoleLogger, type Logger } from 'kubefluent/controller';
import { install } from './install.js';
import { startOperator } from './operator.js';

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' } } });
const kube = await Kube.connect({ fieldManager: 'webapp-operator', ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}) });
const logger: Logger = { ...consoleLogger, info: (m, f) => console.log(m, f ?? '') };
await install(kube);
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
