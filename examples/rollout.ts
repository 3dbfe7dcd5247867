/**
 * kubectl rollout as code: set a new image, follow the rollout, show the history, undo to the
 * previous revision, restart.
 *
 *   npx tsx examples/rollout.ts [--kubeconfig F] [--namespace NS]
 *
 * Creates a Deployment `rollout-demo` (nginx:1.26) and deletes it at the end.
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' } } });

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const ref = { kind: 'Deployment', name: 'rollout-demo', namespace: ns } as const;
  await kube.deployments.namespace(ns).apply({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: ref.name, namespace: ns },
    spec: {
      replicas: 2, selector: { matchLabels: { app: ref.name } },
      template: { metadata: { labels: { app: ref.name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } },
    },
  }, { fieldManager: 'example-rollout' });
  try {
    await kube.rollout.status(ref, { timeoutMs: 60_000 });
    await kube.setImage(ref, 'web', 'nginx:1.27');
    await kube.rollout.status(ref, { timeoutMs: 60_000, onProgress: (line) => console.log(`  ${line}`) });
    for (const rev of await kube.rollout.history(ref)) console.log(`revision ${rev.revision}: ${rev.images.join(', ')}`);
    const undone = await kube.rollout.undo(ref);
    await kube.rollout.status(ref, { timeoutMs: 60_000 });
    console.log(`undo: now ${undone.spec?.template?.spec?.containers[0]?.image}`);
    const restarted = await kube.rollout.restart(ref);
    await kube.rollout.status(ref, { timeoutMs: 60_000 });
    console.log(`restarted at ${restarted.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']}`);
  } finally {
    await kube.deployments.namespace(ns).delete(ref.name);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
