/**
 * The quickstart: the everyday Kubernetes flow, as code.
 *
 *   npm run quickstart                      # on the embedded local control plane
 *   npm run quickstart -- --kubeconfig ~/.kube/config [--context dev] [--keep]
 *
 * Deploys `myapp` (2 replicas), waits for its pods, exposes it, scales to 4, rolls out v2,
 * runs a two-container pod sharing a volume with a preset injecting a ConfigMap and a
 * Secret, prints a summary and cleans up.
 */
import { parseArgs } from 'node:util';
import {
  container,
  deployment,
  EnvFrom,
  pod,
  podPreset,
  Volume,
  applyPresets,
} from 'kubefluent/builders';
import { Kube, type Pod } from 'kubefluent';

const FIELD_MANAGER = 'kubefluent-quickstart';

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    namespace: { type: 'string', default: 'kubefluent-quickstart' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`.padStart(6);
const say = (line: string) => console.log(`${elapsed()}  ${line}`);
const step = (line: string) => console.log(`\n${elapsed()}  ▸ ${line}`);

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '        ' + r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  if (args.help) {
    console.log('usage: npm run quickstart [-- --kubeconfig PATH] [--context NAME] [--namespace NS] [--keep]');
    return;
  }
  let stopCluster: (() => Promise<void>) | undefined;
  let kubeconfig = args.kubeconfig;
  if (!kubeconfig) {
    step('starting the embedded local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes)');
    const { startTestEnv } = await import('kubefluent/testenv');
    const env = await startTestEnv({ onProgress: (m) => say(m) });
    kubeconfig = env.kubeconfigPath;
    stopCluster = () => env.stop();
  }
  const kube = await Kube.connect({ kubeconfig, ...(args.context ? { context: args.context } : {}), fieldManager: FIELD_MANAGER });
  const ns = args.namespace!;
  const apply = { fieldManager: FIELD_MANAGER };
  try {
    step('cluster');
    const version = await kube.transport.request<{ gitVersion: string; platform: string }>({ method: 'GET', path: '/version' });
    say(`server ${kube.config.server}  Kubernetes ${version.gitVersion} (${version.platform})`);
    const nodes = await kube.nodes.list();
    console.log(
      table([
        ['NODE', 'READY', 'INTERNAL-IP', 'KUBELET'],
        ...nodes.items.map((n) => [
          n.metadata?.name ?? '',
          n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '?',
          n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
          n.status?.nodeInfo?.kubeletVersion ?? '',
        ]),
      ]),
    );

    step(`namespace ${ns}`);
    await kube.namespaces.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, apply);
    await kube.serviceaccounts.namespace(ns).waitFor('default', { description: 'the default ServiceAccount', test: (sa) => sa !== undefined }, { timeoutMs: 60_000 });
    say('created');

    step('deploy myapp: ikubernetes/myapp:v1, 2 replicas');
    const template = pod()
      .label('app', 'myapp')
      .container(container('myapp', 'ikubernetes/myapp:v1').port(80, 'http'));
    const myapp = deployment('myapp', template).namespace(ns).replicas(2);
    await kube.deployments.namespace(ns).apply(myapp.build(), apply);
    const running = await waitForPods(kube, ns, 'app=myapp', 2);
    printPods(running);

    step('expose myapp as a Service on port 80');
    const svc = await kube.expose(myapp, { port: 80, targetPort: 'http', namespace: ns, fieldManager: FIELD_MANAGER });
    const endpoints = await waitForEndpoints(kube, ns, 'myapp', 2);
    say(`service myapp  ClusterIP ${svc.spec?.clusterIP}  port 80 → http`);
    say(`endpoints ${endpoints.join(', ')}`);

    step('scale myapp to 4 replicas');
    await kube.scale({ kind: 'Deployment', name: 'myapp', namespace: ns }, 4, { wait: true });
    say('4 of 4 ready');

    step('roll out ikubernetes/myapp:v2');
    await kube.setImage({ kind: 'Deployment', name: 'myapp', namespace: ns }, 'myapp', 'ikubernetes/myapp:v2', { fieldManager: FIELD_MANAGER });
    await kube.rollout.status({ kind: 'Deployment', name: 'myapp', namespace: ns }, { onProgress: (l) => say(l) });
    say('rolled out');

    step('a two-container pod sharing an emptyDir, with a preset injecting a ConfigMap and a Secret');
    await kube.configmaps.namespace(ns).apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: ns }, data: { GREETING: 'hello' } }, apply);
    await kube.secrets.namespace(ns).apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: ns }, stringData: { API_TOKEN: 'not-a-real-token' } }, apply);
    const shared = Volume.emptyDir('shared');
    const twoContainers = pod('sidecar-demo')
      .namespace(ns)
      .label('app', 'sidecar-demo')
      .label('preset', 'config')
      .container(container('writer', 'busybox:1.36').command('sh', '-c', 'while true; do date >> /data/out.log; sleep 5; done').mount(shared, '/data'))
      .container(container('reader', 'busybox:1.36').command('sh', '-c', 'tail -f /data/out.log').mount(shared, '/data', { readOnly: true }))
      .build();
    const preset = podPreset('app-config', {
      selector: { matchLabels: { preset: 'config' } },
      envFrom: [EnvFrom.configMap('app-config'), EnvFrom.secret('app-secret')],
    });
    const withPreset = applyPresets(twoContainers, [preset]);
    await kube.pods.namespace(ns).apply(withPreset, apply);
    const demo = await kube.pods.namespace(ns).waitFor('sidecar-demo', { description: 'pod Running', test: (p) => p?.status?.phase === 'Running' }, { timeoutMs: 60_000 });
    say(`pod sidecar-demo ${demo?.status?.phase} on ${demo?.spec?.nodeName}, containers: ${demo?.spec?.containers.map((c) => c.name).join(', ')}`);
    say(`preset annotation: ${preset.annotationKey}=${preset.version}`);

    step('summary');
    const [deps, svcs, pods] = await Promise.all([
      kube.deployments.namespace(ns).list(),
      kube.services.namespace(ns).list(),
      kube.pods.namespace(ns).list(),
    ]);
    console.log(
      table([
        ['KIND', 'NAME', 'DETAIL'],
        ...deps.items.map((d) => ['Deployment', d.metadata?.name ?? '', `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas} ready, image ${d.spec?.template.spec?.containers[0]?.image}`]),
        ...svcs.items.map((s) => ['Service', s.metadata?.name ?? '', `${s.spec?.type} ${s.spec?.clusterIP} ports ${s.spec?.ports?.map((p) => p.port).join(',')}`]),
        ...pods.items.map((p) => ['Pod', p.metadata?.name ?? '', `${p.status?.phase} ${p.status?.podIP ?? ''} on ${p.spec?.nodeName ?? ''}`]),
      ]),
    );
  } finally {
    if (!args.keep) {
      step('clean up');
      await kube.namespaces.delete(ns).catch(() => undefined);
      await kube.namespaces.waitFor(ns, { description: 'namespace deleted', test: (n) => n === undefined }, { timeoutMs: 120_000 }).catch(() => undefined);
      say(`namespace ${ns} deleted`);
    } else {
      say(`kept namespace ${ns} (--keep)`);
    }
    await kube.close();
    if (stopCluster) {
      await stopCluster();
      say('local control plane stopped');
    }
  }
  say('done');
}

async function waitForPods(kube: Kube, ns: string, selector: string, count: number): Promise<Pod[]> {
  const seen = new Map<string, Pod>();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`pods ${selector} not Running within 120 s`)), 120_000);
  try {
    const list = await kube.pods.namespace(ns).list({ labelSelector: selector });
    for (const p of list.items) seen.set(p.metadata!.name!, p);
    const done = () => [...seen.values()].filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    if (done().length >= count) return done();
    for await (const ev of kube.pods.namespace(ns).watch({ labelSelector: selector, resourceVersion: list.metadata.resourceVersion, signal: controller.signal })) {
      if (ev.type === 'BOOKMARK') continue;
      const p = ev.object as Pod;
      if (ev.type === 'DELETED') seen.delete(p.metadata!.name!);
      else {
        const before = seen.get(p.metadata!.name!);
        if (before?.status?.phase !== p.status?.phase) say(`pod ${p.metadata?.name} ${p.status?.phase ?? 'Pending'}`);
        seen.set(p.metadata!.name!, p);
      }
      if (done().length >= count) return done();
    }
    throw new Error(`watch on pods ${selector} ended before ${count} were Running`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function printPods(pods: readonly Pod[]): void {
  console.log(
    table([
      ['POD', 'NODE', 'IP', 'PHASE'],
      ...pods.map((p) => [p.metadata?.name ?? '', p.spec?.nodeName ?? '', p.status?.podIP ?? '', p.status?.phase ?? '']),
    ]),
  );
}

async function waitForEndpoints(kube: Kube, ns: string, service: string, atLeast: number): Promise<string[]> {
  const slices = kube.endpointslices.namespace(ns);
  const selector = { 'kubernetes.io/service-name': service };
  const byName = new Map<string, string[]>();
  const ready = () => [...byName.values()].flat();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`service ${service} has no ${atLeast} ready endpoints within 60 s`)), 60_000);
  try {
    const list = await slices.list({ labelSelector: selector });
    const addresses = (s: (typeof list.items)[number]) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses.map((a) => `${a}:${s.ports?.[0]?.port ?? ''}`));
    for (const s of list.items) byName.set(s.metadata!.name!, addresses(s));
    if (ready().length >= atLeast) return ready();
    for await (const ev of slices.watch({ labelSelector: selector, resourceVersion: list.metadata.resourceVersion, signal: controller.signal })) {
      if (ev.type === 'BOOKMARK') continue;
      if (ev.type === 'DELETED') byName.delete(ev.object.metadata!.name!);
      else byName.set(ev.object.metadata!.name!, addresses(ev.object));
      if (ready().length >= atLeast) return ready();
    }
    throw new Error(`watch on endpoints of ${service} ended early`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

main().catch((err: unknown) => {
  const e = err as Error & { cause?: unknown };
  console.error(`\nquickstart failed: ${e.message.split('\n')[0]}`);
  if (e.message.includes('\n')) console.error(e.message.split('\n').slice(1).join('\n'));
  if (e.cause instanceof Error) console.error(`  cause: ${e.cause.message}`);
  process.exit(1);
});
