/**
 * Copy a Secret to another namespace (e.g. a registry pull secret or a TLS certificate), keeping
 * its type and data and dropping what belongs to the original (uid, resourceVersion, owners).
 *
 *   npx tsx examples/copy-secret.ts [--kubeconfig F] --from NS/NAME --to NS[/NAME]
 *
 * Server-side apply: running it again updates the copy.
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });

async function main(): Promise<void> {
  const [fromNs, fromName] = (args.from ?? '').split('/');
  const [toNs, toName = fromName] = (args.to ?? '').split('/');
  if (!fromNs || !fromName || !toNs) throw new Error('use --from NS/NAME --to NS[/NAME]');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const src = await kube.secrets.namespace(fromNs).get(fromName);
  const copy = await kube.secrets.namespace(toNs).apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: toName!, namespace: toNs, labels: src.metadata?.labels ?? {}, annotations: { 'examples.kubefluent.dev/copied-from': `${fromNs}/${fromName}` } },
    type: src.type,
    data: src.data ?? {},
  }, { fieldManager: 'example-copy-secret', force: true });
  console.log(`copied secret ${fromNs}/${fromName} to ${toNs}/${copy.metadata?.name} (${Object.keys(copy.data ?? {}).length} keys, type ${copy.type})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
