/**
 * Keep a namespace in step with a directory: apply it and delete what was removed from it, as a
 * kubectl ApplySet — so `KUBECTL_APPLYSET=true kubectl apply --prune --applyset=<name> -n <ns> -f <dir>`
 * and this script manage the same set.
 *
 *   npx tsx examples/prune-applyset.ts [--kubeconfig F] --namespace NS --applyset NAME --dir DIR
 *
 * The set is recorded in a Secret NAME in NS (labels and annotations `applyset.kubernetes.io/…`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, applyset: { type: 'string' }, dir: { type: 'string' } },
});

async function main(): Promise<void> {
  if (!args.namespace || !args.applyset || !args.dir) throw new Error('--namespace, --applyset and --dir are required');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const input = readdirSync(args.dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => readFileSync(join(args.dir!, f), 'utf8')).join('\n---\n');
  const results = await kube.applyManifests(input, {
    fieldManager: 'example-prune',
    namespace: args.namespace,
    prune: { applySet: args.applyset, namespace: args.namespace },
  });
  for (const r of results) console.log(`${r.action} ${r.kind}/${r.name}`);
  console.log(`${results.filter((r) => r.action === 'applied').length} applied, ${results.filter((r) => r.action === 'pruned').length} pruned`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
