/**
 * A controller's cache: an informer on Pods with indexes by node and by app label, answering
 * "which pods run on node X" and "which pods belong to app Y" from memory, kept current by one
 * watch, and reacting to each new pod.
 *
 *   npx tsx examples/informer-indexers.ts [--kubeconfig F] [--namespace NS] [--seconds 5]
 *
 * Runs for --seconds after the initial sync, then prints the indexes and stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { byLabel, handleSource, Informer, Kube, type Pod } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, seconds: { type: 'string', default: '5' } } });

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const pods = new Informer<Pod>(handleSource(kube.pods.namespace(args.namespace ?? kube.defaultNamespace)), {
    indexers: {
      node: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []),
      app: byLabel('app'),
    },
  });
  let synced = false;
  pods.addEventHandler({ add: (p) => { if (synced) console.log(`new pod ${p.metadata?.name}`); } });
  const stop = new AbortController();
  pods.start(stop.signal);
  await pods.waitForSync(AbortSignal.timeout(30_000));
  synced = true;
  console.log(`synced: ${pods.store.size} pods`);
  await sleep(Number(args.seconds) * 1000);
  for (const node of pods.store.indexValues('node').sort()) console.log(`node ${node}: ${pods.store.byIndex('node', node).length} pods`);
  for (const app of pods.store.indexValues('app').sort()) console.log(`app ${app}: ${pods.store.byIndex('app', app).map((p) => p.metadata?.name).sort().join(', ')}`);
  stop.abort();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
