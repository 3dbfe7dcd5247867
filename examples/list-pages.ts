/**
 * List objects with a label selector, a page at a time (large clusters: bounded memory per request).
 *
 *   npx tsx examples/list-pages.ts [--kubeconfig F] [--namespace NS | --all-namespaces] --selector tier=cache [--limit 100]
 *
 * Prints one line per page and a total. `pages()` follows the continue token for you;
 * `iterate()` does the same one object at a time.
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' }, namespace: { type: 'string' }, 'all-namespaces': { type: 'boolean', default: false },
    selector: { type: 'string', default: '' }, limit: { type: 'string', default: '100' },
  },
});

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const cms = args['all-namespaces'] ? kube.configmaps : kube.configmaps.namespace(args.namespace ?? kube.defaultNamespace);
  let page = 0;
  let total = 0;
  for await (const list of cms.pages({ labelSelector: args.selector!, limit: Number(args.limit) })) {
    page++;
    total += list.items.length;
    console.log(`page ${page}: ${list.items.map((cm) => cm.metadata?.name).join(', ')}`);
  }
  console.log(`${total} configmaps in ${page} pages`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
