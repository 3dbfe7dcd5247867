import { describe, expect, it } from 'vitest';
import { container, ContainerBuilder, cpu, EnvFrom, EnvValue, memory, Probe, quantity, storageSize, Volume } from '../../src/builders.js';
import type { Container } from '../../generated/models.js';
import { builderError } from './helpers.js';

describe('container()', () => {
  it('sets only what was asked for', () => {
    expect(container('web', 'nginx:1.27').toObject()).toEqual({ name: 'web', image: 'nginx:1.27' });
    expect(container('init').toObject()).toEqual({ name: 'init' });
  });

  it('image, pull policy, command, args, workingDir', () => {
    const c = container('app').image('busybox:1.36').imagePullPolicy('IfNotPresent').command('sh', '-c').args('echo hi').workingDir('/w').toObject();
    expect(c).toEqual({ name: 'app', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c'], args: ['echo hi'], workingDir: '/w' });
  });

  it('checks the container name', () => {
    builderError(() => container('Web_1', 'x'), 'InvalidName', /DNS label/);
  });

  it('named ports, protocols, host ports', () => {
    const c = container('dns', 'coredns').port(53, 'dns', { protocol: 'UDP' }).port(53, 'dns-tcp').port(9153, 'metrics', { hostPort: 9153, hostIP: '127.0.0.1' }).port(8080).toObject();
    expect(c.ports).toEqual([
      { containerPort: 53, name: 'dns', protocol: 'UDP' },
      { containerPort: 53, name: 'dns-tcp' },
      { containerPort: 9153, name: 'metrics', hostPort: 9153, hostIP: '127.0.0.1' },
      { containerPort: 8080 },
    ]);
  });

  it('duplicate ports are an error where they are declared', () => {
    const c = container('web', 'nginx').port(80, 'http');
    builderError(() => c.port(80, 'other'), 'DuplicatePort', /already declares port 80\/TCP/);
    builderError(() => c.port(8080, 'http'), 'DuplicatePort', /name 'http'/);
    builderError(() => c.port(80, undefined, { protocol: 'TCP' }), 'DuplicatePort');
    expect(c.port(80, 'http-udp', { protocol: 'UDP' }).toObject().ports).toHaveLength(2);
  });

  it('checks port numbers and names', () => {
    builderError(() => container('a', 'x').port(0), 'InvalidArgument', /1 to 65535/);
    builderError(() => container('a', 'x').port(70000), 'InvalidArgument');
    builderError(() => container('a', 'x').port(80, 'this-name-is-too-long'), 'InvalidName', /IANA service name/);
    builderError(() => container('a', 'x').port(80, '8080'), 'InvalidName', /at least one letter/);
  });

  it('env: literal, ConfigMap key, Secret key, field ref, resource ref', () => {
    const c = container('app', 'x')
      .env('MODE', 'prod')
      .env('LITERAL', EnvValue.fromValue('v'))
      .env('LEVEL', EnvValue.fromConfigMapKey('cfg', 'level'))
      .env('PASSWORD', EnvValue.fromSecretKey('db', 'password', { optional: false }))
      .env('POD_NAME', EnvValue.fromFieldRef('metadata.name'))
      .env('CPU_LIMIT', EnvValue.fromResource('limits.cpu', { divisor: '1m' }))
      .env({ A: '1', B: EnvValue.fromFieldRef('status.podIP') })
      .toObject();
    expect(c.env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'LITERAL', value: 'v' },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: false } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'A', value: '1' },
      { name: 'B', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
  });

  it('a second env var of the same name is an error', () => {
    builderError(() => container('a', 'x').env('A', '1').env('A', '2'), 'DuplicateEnv', /already sets environment variable A/);
    builderError(() => container('a', 'x').env('A=B', '1'), 'InvalidName');
  });

  it('envFrom ConfigMaps and Secrets', () => {
    const c = container('a', 'x').envFrom(EnvFrom.configMap('cfg'), EnvFrom.secret('creds', { prefix: 'DB_', optional: true })).toObject();
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds', optional: true }, prefix: 'DB_' }]);
  });

  it('resources with typed quantities, only what is given', () => {
    const c = container('a', 'x')
      .resources({ requests: { cpu: cpu('250m'), memory: memory('128Mi'), 'ephemeral-storage': storageSize('1Gi') }, limits: { memory: memory('256Mi'), 'nvidia.com/gpu': quantity('1') } })
      .toObject();
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '1Gi' }, limits: { memory: '256Mi', 'nvidia.com/gpu': '1' } });
    expect(container('a', 'x').resources({ limits: { cpu: cpu(1) } }).toObject().resources).toEqual({ limits: { cpu: '1' } });
  });

  it('a request above its limit, or an unchecked bad quantity, is an error', () => {
    builderError(() => container('a', 'x').resources({ requests: { cpu: cpu('2') }, limits: { cpu: cpu('500m') } }), 'InvalidResources', /cpu request 2 is above its limit 500m/);
    // A JavaScript caller (or a cast) passing a raw string still gets checked.
    builderError(() => container('a', 'x').resources({ requests: { memory: '128MB' as never } }), 'InvalidQuantity', /'MB'/);
  });

  it('probes: http, tcp, exec, grpc, with timing', () => {
    const c = container('a', 'x')
      .port(8080, 'http')
      .readinessProbe(Probe.httpGet('/ready', 'http', { periodSeconds: 5, headers: { 'X-Probe': '1' }, scheme: 'HTTP' }))
      .livenessProbe(Probe.tcp(8080, { initialDelaySeconds: 10, failureThreshold: 3 }))
      .startupProbe(Probe.exec(['cat', '/tmp/ready'], { timeoutSeconds: 2 }))
      .toObject();
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] }, periodSeconds: 5 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 8080 }, initialDelaySeconds: 10, failureThreshold: 3 });
    expect(c.startupProbe).toEqual({ exec: { command: ['cat', '/tmp/ready'] }, timeoutSeconds: 2 });
    expect(Probe.grpc(9090, { service: 'health' })).toEqual({ grpc: { port: 9090, service: 'health' } });
  });

  it('a probe on an undeclared named port is an error', () => {
    builderError(() => container('a', 'x').readinessProbe(Probe.httpGet('/', 'http')).toObject(), 'UnknownPort', /port 'http', which the container does not declare/);
    builderError(() => Probe.exec([]), 'InvalidArgument');
    builderError(() => Probe.grpc(0), 'InvalidArgument');
    builderError(() => Probe.tcp(80, { periodSeconds: -1 }), 'InvalidArgument');
  });

  it('security context, lifecycle', () => {
    const c = container('a', 'x')
      .securityContext({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
      .lifecycle({ preStop: { sleep: { seconds: 5 } } })
      .toObject();
    expect(c.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
  });

  it('mount() records the mount and carries the volume once', () => {
    const shared = Volume.emptyDir('shared');
    const c = container('a', 'x').mount(shared, '/data', { readOnly: true }).mount(shared, '/also', { subPath: 'sub' }).mount('external', '/ext');
    expect(c.toObject().volumeMounts).toEqual([
      { name: 'shared', mountPath: '/data', readOnly: true },
      { name: 'shared', mountPath: '/also', subPath: 'sub' },
      { name: 'external', mountPath: '/ext' },
    ]);
    expect(c.volumes).toEqual([{ name: 'shared', emptyDir: {} }]);
  });

  it('mount mistakes are errors at the mount', () => {
    const c = container('a', 'x').mount(Volume.emptyDir('data'), '/data');
    builderError(() => c.mount(Volume.fromConfigMap('cfg', { name: 'data' }), '/cfg'), 'DuplicateVolume', /different volume named 'data'/);
    builderError(() => c.mount(Volume.emptyDir('other'), '/data'), 'DuplicateMountPath', /already mounts volume 'data' at \/data/);
    builderError(() => c.mount(Volume.emptyDir('rel'), 'data'), 'InvalidArgument', /absolute/);
    builderError(() => c.mount(Volume.emptyDir('x'), '/x', { subPath: 'a', subPathExpr: '$(B)' }), 'InvalidArgument', /exclude each other/);
  });

  it('wraps a plain Container', () => {
    const plain: Container = { name: 'raw', image: 'x', ports: [{ containerPort: 80 }] };
    expect(ContainerBuilder.from(plain).env('A', '1').toObject()).toEqual({ ...plain, env: [{ name: 'A', value: '1' }] });
    expect(plain).toEqual({ name: 'raw', image: 'x', ports: [{ containerPort: 80 }] });
  });
});
