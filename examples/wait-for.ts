/**
 * Wait for conditions, watch-based (no polling): a Deployment Available, its pods Ready, then
 * the Deployment gone after a delete.
 *
 *   npx tsx examples/wait-for.ts [--kubeconfig F] [--namespace NS] [--timeout SECONDS]
 *
 * Creates a Deployment `wait-demo` and deletes it. A condition not met in time is a
 * WaitTimeoutError naming the condition, and exit code 1.
 */
import { parseArgs } from 'node:util';
import { conditions, Kube } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, timeout: { type: 'string', default: '60' } } });

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const timeoutMs = Number(args.timeout) * 1000;
  const deployments = kube.deployments.namespace(ns);
  await deployments.apply({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'wait-demo', namespace: ns },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'wait-demo' } },
      template: { metadata: { labels: { app: 'wait-demo' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
  }, { fieldManager: 'example-wait-for' });
  try {
    const t0 = Date.now();
    await deployments.waitFor('wait-demo', conditions.deploymentAvailable, { timeoutMs });
    console.log(`deployment available after ${Date.now() - t0} ms`);
    const pods = await kube.pods.namespace(ns).list({ labelSelector: 'app=wait-demo' });
    await Promise.all(pods.items.map((p) => kube.pods.namespace(ns).waitFor(p.metadata!.name!, conditions.podReady, { timeoutMs })));
    console.log(`${pods.items.length} pods ready`);
  } finally {
    await deployments.delete('wait-demo');
    await deployments.waitFor('wait-demo', conditions.deleted, { timeoutMs });
    console.log('deployment deleted');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
