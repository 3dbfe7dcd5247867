import { describe, expect, it } from 'vitest';
import { container, memory, pod, podTemplate, Probe, storageSize, Volume } from '../../src/builders.js';
import { loadSchemas, ValidationError } from '../../src/core/validation.js';
import { builderError } from './helpers.js';

describe('pod()', () => {
  it('a two-container Pod sharing an emptyDir: the volume appears once', () => {
    const shared = Volume.emptyDir('shared', { medium: 'Memory', sizeLimit: memory('64Mi') });
    const p = pod('two')
      .label('app', 'two')
      .container(container('writer', 'busybox:1.36').command('sh', '-c', 'while true; do date > /out/now; sleep 5; done').mount(shared, '/out'))
      .container(container('reader', 'nginx:1.27').port(80, 'http').mount(shared, '/usr/share/nginx/html', { readOnly: true }))
      .build();
    expect(p).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'two', labels: { app: 'two' } },
      spec: {
        containers: [
          { name: 'writer', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do date > /out/now; sleep 5; done'], volumeMounts: [{ name: 'shared', mountPath: '/out' }] },
          { name: 'reader', image: 'nginx:1.27', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ name: 'shared', mountPath: '/usr/share/nginx/html', readOnly: true }] },
        ],
        volumes: [{ name: 'shared', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
      },
    });
  });

  it('adds nothing the caller did not ask for', () => {
    expect(pod('p').container(container('c', 'x')).build()).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  });

  it('init containers and native sidecars', () => {
    const p = pod('p')
      .initContainer(container('migrate', 'migrate:1').args('up'))
      .sidecar(container('proxy', 'envoy:1').port(15001, 'proxy'))
      .container(container('app', 'app:1').port(8080, 'http'))
      .build();
    expect(p.spec?.initContainers).toEqual([
      { name: 'migrate', image: 'migrate:1', args: ['up'] },
      { name: 'proxy', image: 'envoy:1', ports: [{ containerPort: 15001, name: 'proxy' }], restartPolicy: 'Always' },
    ]);
  });

  it('metadata: namespace, labels, annotations, generateName', () => {
    const p = pod('p').namespace('team-a').labels({ app: 'a', tier: 'fe' }).annotation('example.com/owner', 'me').container(container('c', 'x')).build();
    expect(p.metadata).toEqual({ name: 'p', namespace: 'team-a', labels: { app: 'a', tier: 'fe' }, annotations: { 'example.com/owner': 'me' } });
    expect(pod().generateName('job-').container(container('c', 'x')).build().metadata).toEqual({ generateName: 'job-' });
    builderError(() => pod('p').label('bad key!', 'x'), 'InvalidName', /label key/);
    builderError(() => pod('p').label('app', 'no spaces'), 'InvalidName', /label app/);
    builderError(() => pod('Bad_Name'), 'InvalidName');
  });

  it('scheduling and identity: node selector, affinity, tolerations, service account, pull secrets, security context', () => {
    const p = pod('p')
      .container(container('c', 'x'))
      .serviceAccount('robot')
      .automountServiceAccountToken(false)
      .nodeSelector('kubernetes.io/os', 'linux')
      .nodeSelector({ 'topology.kubernetes.io/zone': 'a' })
      .affinity({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'p' } } } }] } })
      .toleration({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' })
      .imagePullSecret('regcred')
      .imagePullSecret('regcred')
      .securityContext({ runAsNonRoot: true, fsGroup: 2000 })
      .restartPolicy('Always')
      .terminationGracePeriodSeconds(10)
      .spec({ priorityClassName: 'high', hostname: 'h' })
      .build();
    expect(p.spec).toMatchObject({
      serviceAccountName: 'robot',
      automountServiceAccountToken: false,
      nodeSelector: { 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': 'a' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      imagePullSecrets: [{ name: 'regcred' }],
      securityContext: { runAsNonRoot: true, fsGroup: 2000 },
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 10,
      priorityClassName: 'high',
      hostname: 'h',
    });
    expect(p.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    builderError(() => pod('p').spec({ containers: [] } as never), 'InvalidArgument', /use \.container\(\)/);
  });

  it('duplicate container names are an error at the second add, across init containers and sidecars', () => {
    const p = pod('p').container(container('app', 'x'));
    builderError(() => p.container(container('app', 'y')), 'DuplicateContainer', /already has a container named 'app'/);
    builderError(() => p.initContainer(container('app', 'y')), 'DuplicateContainer');
    builderError(() => p.sidecar(container('app', 'y')), 'DuplicateContainer');
  });

  it('two different volumes under one name is an error at the container that brings the second', () => {
    const p = pod('p').container(container('a', 'x').mount(Volume.emptyDir('data'), '/data'));
    builderError(() => p.container(container('b', 'x').mount(Volume.fromConfigMap('cfg', { name: 'data' }), '/cfg')), 'DuplicateVolume', /container 'b' brings volume 'data'/);
    builderError(() => p.volume(Volume.fromSecret('s', { name: 'data' })), 'DuplicateVolume');
    // The same volume again is fine: added once.
    expect(p.volume(Volume.emptyDir('data')).build().spec?.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
  });

  it('a mount of a volume the pod lacks is an error when the container is added', () => {
    const c = container('a', 'x').mount('config', '/etc/app');
    builderError(() => pod('p').container(c), 'UnknownVolume', /mounts volume 'config' at \/etc\/app, but pod 'p' has no such volume/);
    // Plain Container objects are checked too.
    builderError(() => pod('p').container({ name: 'raw', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/n' }] }), 'UnknownVolume');
    // Declared first, it works.
    const ok = pod('p').volume(Volume.fromConfigMap('app-config', { name: 'config' })).container(c).build();
    expect(ok.spec?.volumes).toEqual([{ name: 'config', configMap: { name: 'app-config' } }]);
  });

  it('duplicate ports across containers (one network namespace) are an error; init containers are exempt', () => {
    const p = pod('p').container(container('a', 'x').port(8080, 'http'));
    builderError(() => p.container(container('b', 'x').port(8080, 'web')), 'DuplicatePort', /container 'b' declares port 8080\/TCP, which container 'a' already uses/);
    builderError(() => p.container(container('b', 'x').port(9090, 'http')), 'DuplicatePort', /name 'http'/);
    builderError(() => p.sidecar(container('b', 'x').port(8080)), 'DuplicatePort');
    expect(p.initContainer(container('b', 'x').port(8080)).build().spec?.initContainers).toHaveLength(1);
  });

  it('build() needs a container and a name; templates need no name', () => {
    builderError(() => pod('p').build(), 'NoContainers', /has no containers/);
    builderError(() => pod().container(container('c', 'x')).build(), 'InvalidArgument', /needs a name/);
    expect(podTemplate().label('app', 'a').container(container('c', 'x')).toTemplate()).toEqual({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  });

  it('claim templates belong to StatefulSets only', () => {
    const p = pod('p').container(container('db', 'pg').mount(Volume.claimTemplate('data', { storage: storageSize('1Gi'), accessModes: ['ReadWriteOnce'] }), '/var/lib/pg'));
    builderError(() => p.build(), 'InvalidArgument', /only work in a StatefulSet/);
  });

  it('the strict schema runs on build() once loaded: what slips past the builder is still caught, with its path', async () => {
    await loadSchemas();
    const built = () => pod('p').container(container('c', 'x')).spec({ priority: 1.5 }).build();
    expect(built).toThrow(ValidationError);
    expect(built).toThrow(/Pod "p" is invalid .*\n.*spec\.priority/);
  });

  it('probe ports are checked when the container joins the pod', () => {
    builderError(() => pod('p').container(container('c', 'x').livenessProbe(Probe.tcp('grpc'))), 'UnknownPort');
  });
});
