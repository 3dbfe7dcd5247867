/**
 * Label and annotate every object a selector matches (kubectl label / annotate), or remove a
 * label with `key-`.
 *
 *   npx tsx examples/label-annotate.ts [--kubeconfig F] [--namespace NS] --resource v1/configmaps \
 *       --selector app=web [--label team=payments] [--label old-] [--annotate owner=ops@example.com]
 *
 * One merge patch per object; `--resource` is any resource key (`apps/v1/deployments`, `v1/services`, …).
 */
import { parseArgs } from 'node:util';
import { Kube, mergePatch, type KubeObject } from 'kubefluent';

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' }, namespace: { type: 'string' }, resource: { type: 'string', default: 'v1/configmaps' },
    selector: { type: 'string' }, label: { type: 'string', multiple: true, default: [] }, annotate: { type: 'string', multiple: true, default: [] },
  },
});

function changes(items: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const item of items) {
    if (item.endsWith('-')) out[item.slice(0, -1)] = null; // null removes the key in a merge patch
    else {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new Error(`"${item}": use key=value, or key- to remove`);
      out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  return out;
}

async function main(): Promise<void> {
  if (!args.selector) throw new Error('--selector is required (label every object of a kind on purpose: --selector "")');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const slash = args.resource!.lastIndexOf('/');
  const info = await kube.discovery.find({ apiVersion: args.resource!.slice(0, slash), plural: args.resource!.slice(slash + 1) });
  const handle = kube.resource(info);
  const client = info.namespaced ? handle.namespace(args.namespace ?? kube.defaultNamespace) : handle;
  // Labels are typed string → string; a merge patch removes a key with null, hence the widening.
  const body = { metadata: { labels: changes(args.label!), annotations: changes(args.annotate!) } };
  const patch = mergePatch<KubeObject>(body as unknown as KubeObject);
  let n = 0;
  for await (const o of client.iterate({ labelSelector: args.selector })) {
    await client.patch(o.metadata!.name!, patch);
    console.log(`${args.resource} ${o.metadata!.name} patched`);
    n++;
  }
  console.log(`${n} objects changed`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
