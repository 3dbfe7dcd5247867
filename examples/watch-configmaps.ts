/**
 * Watch ConfigMaps with a label and react to each change (here: print what changed).
 *
 *   npx tsx examples/watch-configmaps.ts [--kubeconfig F] [--namespace NS] [--selector app=web] [--count N] [--timeout SECONDS]
 *
 * Lists first (the current state), then watches from that list's resourceVersion so no change
 * is missed between the two. Stops after --count events or --timeout seconds.
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' }, namespace: { type: 'string' }, selector: { type: 'string', default: 'app=web' },
    count: { type: 'string', default: '3' }, timeout: { type: 'string', default: '60' },
  },
});

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const cms = kube.configmaps.namespace(args.namespace ?? kube.defaultNamespace);
  const list = await cms.list({ labelSelector: args.selector! });
  for (const cm of list.items) console.log(`existing ${cm.metadata?.name} ${JSON.stringify(cm.data ?? {})}`);
  const seen = new Map(list.items.map((cm) => [cm.metadata?.name ?? '', cm.data ?? {}]));
  console.log(`watching ${args.selector}`);
  let left = Number(args.count);
  const signal = AbortSignal.timeout(Number(args.timeout) * 1000);
  for await (const ev of cms.watch({ labelSelector: args.selector!, resourceVersion: list.metadata.resourceVersion, signal })) {
    if (ev.type === 'BOOKMARK') continue;
    const name = ev.object.metadata?.name ?? '';
    const data = ev.object.data ?? {};
    if (ev.type === 'MODIFIED') {
      const before = seen.get(name) ?? {};
      const changed = Object.keys({ ...before, ...data }).filter((k) => before[k] !== data[k]).sort();
      console.log(`${ev.type} ${name} changed: ${changed.map((k) => `${k}=${data[k] ?? '(removed)'}`).join(' ')}`);
    } else {
      console.log(`${ev.type} ${name} ${JSON.stringify(data)}`);
    }
    if (ev.type === 'DELETED') seen.delete(name);
    else seen.set(name, data);
    if (--left === 0) break;
  }
  if (left > 0) throw new Error(`timed out with ${left} event(s) still expected`);
  console.log('done');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
