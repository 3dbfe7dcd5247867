// Integration: the real local control plane from test/global-setup.ts (kube-apiserver with its
// admission chain, etcd, kube-controller-manager, kube-scheduler, kwok nodes), driven by the
// kubefluent client and, as an independent reader, the machine's kubectl. The chapter's objects
// are built with the builders, created with server-side dry-run first and then for real, read
// back, and compared with what was built (equal apart from server defaults).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPresets,
  container,
  cpu,
  cronJob,
  daemonSet,
  deployment,
  DownwardAPIFile,
  EnvFrom,
  EnvValue,
  expose,
  job,
  memory,
  pod,
  podPreset,
  Probe,
  Projection,
  statefulSet,
  storageSize,
  Volume,
} from '../../src/builders.js';
import { Kube } from '../../src/kube.js';
import type { KubeObject } from '../../src/client/types.js';
import { roundTripDiff } from './round-trip.js';

const FIELD_MANAGER = 'kubefluent-builders-test';
let kube: Kube;
let ns: string;

function kubeconfig(): string {
  const p = process.env.KUBEFLUENT_TEST_KUBECONFIG;
  if (!p) throw new Error('KUBEFLUENT_TEST_KUBECONFIG is not set: run through the integration project (test/global-setup.ts)');
  return p;
}

function kubectlJson<T>(args: readonly string[]): T {
  return JSON.parse(execFileSync('kubectl', ['--kubeconfig', kubeconfig(), ...args, '-o', 'json'], { encoding: 'utf8' })) as T;
}

async function eventually<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

// The client's handles, as far as this file uses them (any kind).
interface Handle {
  apply(o: never, options: { fieldManager: string; dryRun?: boolean }): Promise<unknown>;
  get(name: string): Promise<unknown>;
}

/** Dry-run first (nothing stored), then for real; returns what the server stored, read back. */
async function dryRunThenCreate<T extends KubeObject>(handle: Handle, built: T): Promise<{ dry: T; stored: T }> {
  const name = built.metadata!.name!;
  const dry = (await handle.apply(built as never, { fieldManager: FIELD_MANAGER, dryRun: true })) as T;
  expect(roundTripDiff(built, dry), 'dry-run result').toEqual([]);
  await expect(handle.get(name)).rejects.toMatchObject({ reason: 'NotFound' });
  await handle.apply(built as never, { fieldManager: FIELD_MANAGER });
  const stored = (await handle.get(name)) as T;
  expect(roundTripDiff(built, stored), 'stored object').toEqual([]);
  return { dry, stored };
}

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig: kubeconfig(), fieldManager: FIELD_MANAGER });
  ns = `builders-${randomBytes(3).toString('hex')}`;
  await kube.namespaces.apply({ metadata: { name: ns } }, { fieldManager: FIELD_MANAGER });
  // Pods need the namespace's default ServiceAccount, which the controller-manager makes.
  await eventually('default ServiceAccount', () => kube.serviceaccounts.namespace(ns).getOrUndefined('default'), (sa) => sa !== undefined);
});

afterAll(async () => {
  await kube?.namespaces.delete(ns).catch(() => undefined);
  await kube?.close();
});

describe('the chapter on the real control plane', () => {
  it('a two-container Pod sharing an emptyDir: dry-run, create, read back equal, Running on a kwok node', async () => {
    const shared = Volume.emptyDir('shared', { medium: 'Memory', sizeLimit: memory('64Mi') });
    const built = pod('two-containers')
      .namespace(ns)
      .label('app', 'two-containers')
      .container(
        container('writer', 'busybox:1.36')
          .command('sh', '-c', 'while true; do date > /out/index.html; sleep 5; done')
          .resources({ requests: { cpu: cpu('50m'), memory: memory('16Mi') }, limits: { memory: memory('32Mi') } })
          .mount(shared, '/out'),
      )
      .container(
        container('web', 'nginx:1.27')
          .port(80, 'http')
          .readinessProbe(Probe.httpGet('/', 'http', { periodSeconds: 5 }))
          .mount(shared, '/usr/share/nginx/html', { readOnly: true }),
      )
      .build();
    const pods = kube.pods.namespace(ns);
    const { stored } = await dryRunThenCreate(pods, built);
    expect(stored.spec?.volumes?.filter((v) => v.name === 'shared')).toHaveLength(1);
    // An independent client reads the same object.
    const viaKubectl = kubectlJson<typeof built>(['get', 'pod', 'two-containers', '-n', ns]);
    expect(roundTripDiff(built, viaKubectl)).toEqual([]);
    const running = await eventually('pod Running', () => pods.get('two-containers'), (p) => p.status?.phase === 'Running');
    expect(running.spec?.nodeName).toMatch(/^kwok-node-/);
  });

  it('a Deployment and a Service for a web app: pods selected, named target port resolved by the cluster', async () => {
    const template = pod()
      .label('app', 'web')
      .container(
        container('web', 'nginx:1.27')
          .port(80, 'http')
          .env('MODE', 'prod')
          .resources({ requests: { cpu: cpu('100m'), memory: memory('64Mi') } })
          .readinessProbe(Probe.httpGet('/', 'http'))
          .livenessProbe(Probe.tcp('http', { initialDelaySeconds: 5 })),
      );
    const web = deployment('web', template).namespace(ns).replicas(2).rollingUpdate({ maxSurge: 1, maxUnavailable: 0 });
    const svc = expose(web, { port: 8080, targetPort: 'http', type: 'ClusterIP' });

    const { stored: d } = await dryRunThenCreate(kube.deployments.namespace(ns), web.build());
    const { stored: s } = await dryRunThenCreate(kube.services.namespace(ns), svc.build());
    expect(d.spec?.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(s.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    // The Deployment controller made two pods its selector matches, kwok made them ready...
    const ready = await eventually('deployment ready', () => kube.deployments.namespace(ns).get('web'), (x) => x.status?.readyReplicas === 2, 90_000);
    expect(ready.status?.replicas).toBe(2);
    const list = await kube.pods.namespace(ns).list({ labelSelector: { app: 'web' } });
    expect(list.items).toHaveLength(2);
    // ...and the EndpointSlice controller resolved targetPort 'http' to the containers' port 80.
    const slices = await eventually(
      'endpoint slice',
      () => kube.endpointslices.namespace(ns).list({ labelSelector: { 'kubernetes.io/service-name': 'web' } }),
      (l) => l.items.some((e) => (e.endpoints ?? []).length === 2),
      90_000,
    );
    const slice = slices.items.find((e) => (e.endpoints ?? []).length === 2)!;
    expect(slice.ports).toEqual([expect.objectContaining({ port: 80, protocol: 'TCP' })]);
  });

  it('a preset injecting a ConfigMap, a Secret and a volume into a Deployment: dry-run, create, and the pods carry it', async () => {
    await kube.configmaps.namespace(ns).apply({ metadata: { name: 'app-config' }, data: { LOG_LEVEL: 'debug' } }, { fieldManager: FIELD_MANAGER });
    await kube.secrets.namespace(ns).apply({ metadata: { name: 'db' }, stringData: { password: 's3cret' } }, { fieldManager: FIELD_MANAGER });
    const preset = podPreset('inject-config', {
      selector: { matchLabels: { role: 'frontend' } },
      envFrom: [EnvFrom.configMap('app-config')],
      env: { DB_PASSWORD: EnvValue.fromSecretKey('db', 'password') },
      volumes: [Volume.fromSecret('db', { name: 'db-secret', defaultMode: 0o400 })],
      volumeMounts: [{ name: 'db-secret', mountPath: '/etc/db', readOnly: true }],
    });
    const frontend = deployment('frontend', pod().label('app', 'frontend').label('role', 'frontend').container(container('web', 'nginx:1.27').port(80, 'http'))).namespace(ns);
    const optedOut = deployment(
      'batch',
      pod().label('app', 'batch').label('role', 'frontend').annotation('podpreset.admission.kubernetes.io/exclude', 'true').container(container('b', 'busybox:1.36')),
    ).namespace(ns);
    const built = applyPresets(frontend.build(), [preset]);
    const untouched = applyPresets(optedOut.build(), [preset]);
    expect(untouched).toEqual(optedOut.build());

    await dryRunThenCreate(kube.deployments.namespace(ns), built);
    await dryRunThenCreate(kube.deployments.namespace(ns), untouched);

    // The pods the controller creates carry what the preset injected, and its annotation.
    const pods = await eventually('frontend pod', () => kube.pods.namespace(ns).list({ labelSelector: { app: 'frontend' } }), (l) => l.items.length === 1);
    const p = pods.items[0]!;
    expect(p.metadata?.annotations?.[preset.annotationKey]).toBe(preset.version);
    const c = p.spec?.containers[0];
    expect(c?.envFrom).toEqual([{ configMapRef: { name: 'app-config' } }]);
    expect(c?.env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }]);
    expect(c?.volumeMounts).toContainEqual({ name: 'db-secret', mountPath: '/etc/db', readOnly: true });
    expect(p.spec?.volumes).toContainEqual({ name: 'db-secret', secret: { secretName: 'db', defaultMode: 0o400 } });
    const batchPods = await eventually('batch pod', () => kube.pods.namespace(ns).list({ labelSelector: { app: 'batch' } }), (l) => l.items.length === 1);
    expect(batchPods.items[0]?.spec?.containers[0]?.env).toBeUndefined();
  });

  it('round trip of every workload kind and Service type: built, applied, read back, equal apart from server defaults', async () => {
    const data = Volume.claimTemplate('data', { storage: storageSize('1Gi'), accessModes: ['ReadWriteOnce'] });
    const everyVolume = pod()
      .label('app', 'volumes')
      .volume(Volume.fromPersistentVolumeClaim('some-claim', { name: 'claim', readOnly: true }))
      .initContainer(container('init', 'busybox:1.36').command('true'))
      .sidecar(container('proxy', 'envoy:v1').port(15001, 'proxy').startupProbe(Probe.exec(['true'])))
      .container(
        container('main', 'busybox:1.36')
          .command('sleep', 'infinity')
          .port(9000, 'grpc')
          .livenessProbe(Probe.grpc(9000))
          .env('POD_NAME', EnvValue.fromFieldRef('metadata.name'))
          .env('CPU_LIMIT', EnvValue.fromResource('limits.cpu', { divisor: '1m' }))
          .env('LEVEL', EnvValue.fromConfigMapKey('app-config', 'LOG_LEVEL', { optional: true }))
          .envFrom(EnvFrom.secret('db', { prefix: 'DB_', optional: true }))
          .resources({ requests: { cpu: cpu('100m'), memory: memory('32Mi'), 'ephemeral-storage': storageSize('100Mi') }, limits: { cpu: cpu('500m'), memory: memory('64Mi') } })
          .securityContext({ runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
          .imagePullPolicy('IfNotPresent')
          .mount(Volume.emptyDir('scratch', { sizeLimit: storageSize('1Gi') }), '/scratch')
          .mount(Volume.fromConfigMap('app-config', { items: { LOG_LEVEL: 'level.txt' }, defaultMode: 0o444, optional: true }), '/etc/config')
          .mount(Volume.fromSecret('db', { items: [{ key: 'password', path: 'pw', mode: 0o400 }] }), '/etc/db')
          .mount(Volume.fromHostPath('host-logs', '/var/log', { type: 'Directory' }), '/host/log', { readOnly: true })
          .mount(
            Volume.projected('projected', [
              Projection.serviceAccountToken('token', { audience: 'api', expirationSeconds: 3600 }),
              Projection.configMap('app-config', { optional: true }),
              Projection.secret('db', { items: { password: 'db-password' } }),
              Projection.downwardAPI([DownwardAPIFile.field('labels', 'metadata.labels')]),
            ]),
            '/projected',
          )
          .mount(Volume.downwardAPI('podinfo', [DownwardAPIFile.field('name', 'metadata.name'), DownwardAPIFile.resource('mem', 'limits.memory', { containerName: 'main', divisor: '1Mi' })]), '/podinfo')
          .mount(Volume.ephemeral('cache', { storage: storageSize('1Gi'), accessModes: ['ReadWriteOnce'] }), '/cache')
          .mount('claim', '/claim', { readOnly: true })
          .mount(Volume.fromImage('tools', 'busybox:1.36', { pullPolicy: 'IfNotPresent' }), '/tools'),
      )
      .serviceAccount('default')
      .nodeSelector('type', 'kwok')
      .toleration({ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' })
      .affinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'type', operator: 'In', values: ['kwok'] }] }] } } })
      .imagePullSecret('registry')
      .securityContext({ fsGroup: 2000 });
    const batch = pod().label('app', 'batch-job').restartPolicy('Never').container(container('work', 'busybox:1.36').command('true'));
    const db = pod().label('app', 'db').container(container('db', 'postgres:17').port(5432, 'pg').mount(data, '/var/lib/postgresql/data'));

    const objects: [Handle, KubeObject][] = [
      [kube.deployments.namespace(ns), deployment('volumes', everyVolume).namespace(ns).recreate().revisionHistoryLimit(2).build()],
      [kube.statefulsets.namespace(ns), statefulSet('db', db).namespace(ns).replicas(1).serviceName('db').podManagementPolicy('Parallel').build()],
      [kube.daemonsets.namespace(ns), daemonSet('agent', pod().label('app', 'agent').container(container('agent', 'busybox:1.36'))).namespace(ns).rollingUpdate({ maxUnavailable: 1 }).build()],
      [kube.jobs.namespace(ns), job('once', batch).namespace(ns).backoffLimit(1).ttlSecondsAfterFinished(600).build()],
      [kube.cronjobs.namespace(ns), cronJob('nightly', '0 3 * * *', batch).namespace(ns).concurrencyPolicy('Forbid').timeZone('Etc/UTC').build()],
      [kube.services.namespace(ns), expose(statefulSet('db', db).namespace(ns), { port: 5432, targetPort: 'pg', type: 'Headless', serviceName: 'db' }).build()],
      [kube.services.namespace(ns), expose(deployment('volumes', everyVolume).namespace(ns), { serviceName: 'volumes-np', type: 'NodePort', ports: [{ name: 'grpc', port: 9000, targetPort: 'grpc' }, { name: 'proxy', port: 15001, targetPort: 15001 }] }).build()],
      [kube.services.namespace(ns), expose(deployment('volumes', everyVolume).namespace(ns), { serviceName: 'volumes-lb', type: 'LoadBalancer', port: 9000, targetPort: 'grpc' }).build()],
    ];
    for (const [handle, built] of objects) {
      await dryRunThenCreate(handle, built);
    }
  });
});
