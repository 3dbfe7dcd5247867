/**
 * Vitest global setup for the `integration` project: starts one real local control plane
 * (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) for all integration
 * files and stops it afterwards. Tests find it through environment variables:
 *   KUBEFLUENT_TEST_KUBECONFIG             admin (client certificate, system:masters)
 *   KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG  user `restricted` (bearer token, namespace `restricted` only)
 *   KUBEFLUENT_TEST_SERVER, KUBEFLUENT_TEST_CA_FILE, KUBEFLUENT_TEST_DATA_DIR, KUBEFLUENT_TEST_ETCD_URL
 * If KUBEFLUENT_TEST_KUBECONFIG is already set (e.g. to .cluster/kubeconfig from
 * `npm run cluster:up`), that cluster is used and nothing is started. A cluster that cannot
 * start fails the run: there is no skip path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startTestEnv, type TestEnv } from '../testenv/index.js';

let env: TestEnv | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.KUBEFLUENT_TEST_KUBECONFIG) {
    const t0 = Date.now();
    env = await startTestEnv({
      onProgress: (m) => process.stderr.write(`[testenv ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`),
    });
    process.env.KUBEFLUENT_TEST_KUBECONFIG = env.kubeconfigPath;
    process.env.KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG = env.restrictedKubeconfigPath;
    process.env.KUBEFLUENT_TEST_SERVER = env.server;
    process.env.KUBEFLUENT_TEST_CA_FILE = env.caFile;
    process.env.KUBEFLUENT_TEST_DATA_DIR = env.dataDir;
    process.env.KUBEFLUENT_TEST_ETCD_URL = env.etcdUrl;
  } else {
    // A cluster from `npm run cluster:up`: its restricted user's kubeconfig and state sit next to the admin one.
    const dir = dirname(process.env.KUBEFLUENT_TEST_KUBECONFIG);
    const restricted = join(dir, 'restricted.kubeconfig');
    if (!process.env.KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG && existsSync(restricted)) process.env.KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG = restricted;
    const statePath = join(dir, 'state.json');
    if (existsSync(statePath)) {
      const state = JSON.parse(readFileSync(statePath, 'utf8')) as { server?: string; etcdUrl?: string; dataDir?: string };
      process.env.KUBEFLUENT_TEST_SERVER ??= state.server;
      if (state.etcdUrl) process.env.KUBEFLUENT_TEST_ETCD_URL ??= state.etcdUrl;
      if (state.dataDir) process.env.KUBEFLUENT_TEST_DATA_DIR ??= state.dataDir;
    }
  }
  project.provide('kubeconfig', process.env.KUBEFLUENT_TEST_KUBECONFIG!);
  return async () => {
    await env?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}
