/**
 * The one real control plane of a run: the cluster named by KUBEFLUENT_TEST_KUBECONFIG, or
 * a testenv started for the run. Objects are created once, in their own namespace, many in
 * parallel; the namespace is deleted at the end.
 */
import { Kube } from '../../src/index.js';
import { startTestEnv, type TestEnv } from '../../testenv/index.js';
import { pool } from './child.js';
import { makeConfigMap } from './fixtures.js';
import type { ClusterFacts } from './peer-types.js';
import type { Log } from './setup.js';

export interface BenchCluster {
  readonly facts: ClusterFacts;
  readonly namespace: string;
  /** ConfigMaps in the namespace: ours plus the kube-root-ca.crt that the controller manager adds. */
  readonly configMaps: number;
  /** A pod in the namespace, created once and Running (kwok runs its exec commands and forwards its ports on this machine); resolves to its name. */
  runningPod(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function benchCluster(configMaps: number, log: Log): Promise<BenchCluster> {
  let env: TestEnv | undefined;
  let kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG;
  if (!kubeconfig) {
    const t0 = Date.now();
    log('starting the local control plane (testenv)');
    env = await startTestEnv({ onProgress: (m) => log(`  [testenv ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`) });
    kubeconfig = env.kubeconfigPath;
  }
  const kube = await Kube.connect({ kubeconfig, validate: false });
  const namespace = `kubefluent-bench-${Date.now().toString(36)}`;
  try {
    await kube.namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const t0 = Date.now();
    const configmaps = kube.configmaps.namespace(namespace);
    await pool(configMaps, 48, async (i) => {
      await configmaps.create(makeConfigMap(i, namespace) as never);
    });
    log(`created ${configMaps} ConfigMaps in ${namespace} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await configmaps.waitFor('kube-root-ca.crt', (cm) => cm !== undefined, { timeoutMs: 30_000 });
  } catch (e) {
    await env?.stop();
    throw e;
  }
  const c = kube.config;
  const facts: ClusterFacts = { server: c.server, ca: c.tls.ca, cert: c.clientCertificate?.cert, key: c.clientCertificate?.key, kubeconfig };
  return {
    facts,
    namespace,
    configMaps: configMaps + 1,
    async runningPod(name) {
      const pods = kube.pods.namespace(namespace);
      if ((await pods.getOrUndefined(name)) === undefined) {
        await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
      }
      await pods.waitFor(name, (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
      return name;
    },
    async close() {
      try {
        await kube.namespaces.delete(namespace);
      } catch (e) {
        log(`could not delete namespace ${namespace}: ${(e as Error).message}`);
      }
      await kube.close();
      await env?.stop();
    },
  };
}
