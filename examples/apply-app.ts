/**
 * Server-side apply an application's objects (a Deployment and its Service) under your own
 * field manager. Applying again changes nothing; another manager's edit to a field you do not
 * set is left alone.
 *
 *   npx tsx examples/apply-app.ts [--kubeconfig F] [--namespace NS] [--image nginx:1.27] [--replicas 2] [--keep]
 *
 * Deletes what it created at the end unless --keep.
 */
import { parseArgs } from 'node:util';
import { container, deployment, pod } from 'kubefluent/builders';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' }, namespace: { type: 'string' }, image: { type: 'string', default: 'nginx:1.27' },
    replicas: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false },
  },
});
const FIELD_MANAGER = 'example-apply-app';

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const web = deployment('web', pod().label('app', 'web').container(container('web', args.image!).port(80, 'http')))
    .namespace(ns)
    .replicas(Number(args.replicas));
  const deployments = kube.deployments.namespace(ns);
  try {
    const first = await deployments.apply(web.build(), { fieldManager: FIELD_MANAGER });
    console.log(`applied deployment web generation ${first.metadata?.generation}`);
    const svc = await kube.expose(web, { port: 80, targetPort: 'http', namespace: ns, fieldManager: FIELD_MANAGER });
    console.log(`applied service web ${svc.spec?.clusterIP}:80`);
    const again = await deployments.apply(web.build(), { fieldManager: FIELD_MANAGER });
    console.log(`applied again: generation ${again.metadata?.generation} (${again.metadata?.generation === first.metadata?.generation ? 'unchanged' : 'changed'})`);
    const managers = (again.metadata?.managedFields ?? []).map((m) => m.manager).filter((m) => m === FIELD_MANAGER);
    console.log(`field manager ${managers[0]} owns its fields`);
  } finally {
    if (!args.keep) {
      await kube.services.namespace(ns).delete('web').catch(() => undefined);
      await deployments.delete('web');
      console.log('cleaned up');
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
