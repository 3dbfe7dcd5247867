/**
 * Clean up everything a label marks (a test run, a preview environment) across several kinds,
 * with a dry run first if you like.
 *
 *   npx tsx examples/cleanup-by-label.ts [--kubeconfig F] [--namespace NS] --selector run=preview-42 [--dry-run]
 *
 * Deletes Deployments, Services, ConfigMaps, Secrets and Jobs matching the selector in one
 * namespace (deletecollection per kind; dependents are garbage-collected in the background).
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, selector: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
});

async function main(): Promise<void> {
  if (!args.selector) throw new Error('--selector is required: cleaning up without one would delete everything');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const kinds = [
    ['Deployment', kube.deployments.namespace(ns)],
    ['Job', kube.jobs.namespace(ns)],
    ['Service', kube.services.namespace(ns)],
    ['ConfigMap', kube.configmaps.namespace(ns)],
    ['Secret', kube.secrets.namespace(ns)],
  ] as const;
  let total = 0;
  for (const [kind, client] of kinds) {
    const { items } = await client.list({ labelSelector: args.selector });
    if (items.length === 0) continue;
    // Services have no deletecollection: one delete each. The others: one request per kind.
    if (kind === 'Service') {
      for (const o of items) await client.delete(o.metadata!.name!, { dryRun: args['dry-run'] });
    } else {
      await (client as typeof kinds[0][1]).deleteCollection({ labelSelector: args.selector, dryRun: args['dry-run'], propagationPolicy: 'Background' });
    }
    for (const o of items) console.log(`${args['dry-run'] ? 'would delete' : 'deleted'} ${kind}/${o.metadata?.name}`);
    total += items.length;
  }
  console.log(`${total} objects ${args['dry-run'] ? 'would be ' : ''}deleted`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
