/**
 * Several consumers, one watch per resource: a SharedInformerFactory hands every consumer the
 * same informer (and cache) for the same resource and selection. Here two "controllers" share
 * the Deployments and Pods informers; one reports each Deployment's pods through its
 * ReplicaSets (owner references), the other counts pods per phase.
 *
 *   npx tsx examples/shared-informers.ts [--kubeconfig F] [--namespace NS]
 */
import { parseArgs } from 'node:util';
import { byOwnerUid, Kube, SharedInformerFactory } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' } } });

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const namespace = args.namespace ?? kube.defaultNamespace;
  const factory = new SharedInformerFactory(kube.transport);

  // Consumer 1: Deployment → ReplicaSets → Pods, by owner uid.
  const deployments = factory.informer('apps/v1/deployments', { namespace });
  const replicasets = factory.informer('apps/v1/replicasets', { namespace }, { indexers: { owner: byOwnerUid } });
  const podsA = factory.informer('v1/pods', { namespace }, { indexers: { owner: byOwnerUid } });
  // Consumer 2 asks for the same pods: it gets the same informer, with its own index added.
  const podsB = factory.informer('v1/pods', { namespace }, { indexers: { phase: (p) => [p.status?.phase ?? 'Unknown'] } });
  console.log(`pods informer shared: ${podsA === podsB}; informers: ${factory.informers().size}`);

  const stop = new AbortController();
  factory.start(stop.signal);
  await factory.waitForSync(AbortSignal.timeout(30_000));
  for (const d of deployments.store.list()) {
    const rsets = replicasets.store.byIndex('owner', d.metadata!.uid!);
    const pods = rsets.flatMap((rs) => podsA.store.byIndex('owner', rs.metadata!.uid!));
    console.log(`deployment ${d.metadata?.name}: ${rsets.length} replicasets, ${pods.length} pods`);
  }
  for (const phase of podsB.store.indexValues('phase').sort()) console.log(`phase ${phase}: ${podsB.store.byIndex('phase', phase).length}`);
  stop.abort();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
