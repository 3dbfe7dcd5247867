// Unit: every builder argument that is an options object refuses keys it does not read, with
// a did-you-mean, instead of dropping them (`.resources({ requets })` used to give `{}`).
// Arguments typed as generated models (Affinity, SecurityContext, …) are kept verbatim and
// checked against the strict schema once the schemas are loaded.
import { beforeAll, describe, expect, it } from 'vitest';
import {
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
  podTemplate,
  Probe,
  Projection,
  statefulSet,
  storageSize,
  Volume,
} from '../../src/builders.js';
import type { KeyToPath } from '../../generated/models.js';
import { loadSchemas, ValidationError } from '../../src/core/validation.js';
import { builderError } from './helpers.js';

// Misspelt keys reach the builders from JavaScript, JSON or a cast; the cast stands for them.
const loose = <T>(o: object): T => o as T;
const template = () => podTemplate().labels({ app: 'web' }).container(container('web', 'nginx').port(80, 'http'));

describe('unknown keys in builder options', () => {
  it('container.resources(): requets → did you mean "requests"', () => {
    const e = builderError(() => container('web', 'nginx').resources(loose({ requets: { cpu: cpu('250m') } })), 'UnknownField', /unknown field "requets" — did you mean "requests"\?/);
    expect(e.field).toBe('containers[web].resources.requets');
    expect(e.message).toContain("container 'web' resources");
    // What is right still works and keeps both maps.
    expect(container('web', 'nginx').resources({ requests: { cpu: cpu('250m') }, limits: { memory: memory('1Gi') } }).toObject().resources).toEqual({ requests: { cpu: '250m' }, limits: { memory: '1Gi' } });
  });

  it('container.port() and container.mount() options', () => {
    builderError(() => container('web', 'nginx').port(80, 'http', loose({ protocl: 'UDP' })), 'UnknownField', /"protocl" — did you mean "protocol"/);
    builderError(() => container('web', 'nginx').mount(Volume.emptyDir('d'), '/d', loose({ readonly: true })), 'UnknownField', /"readonly" — did you mean "readOnly"/);
  });

  it('Volume factories', () => {
    builderError(() => Volume.emptyDir('d', loose({ sizelimit: '1Gi' })), 'UnknownField', /did you mean "sizeLimit"/);
    builderError(() => Volume.fromConfigMap('cfg', loose({ item: { a: 'a' } })), 'UnknownField', /did you mean "items"/);
    builderError(() => Volume.fromSecret('s', loose({ defaultmode: 0o400 })), 'UnknownField', /did you mean "defaultMode"/);
    builderError(() => Volume.fromPersistentVolumeClaim('c', loose({ readonly: true })), 'UnknownField', /did you mean "readOnly"/);
    builderError(() => Volume.fromHostPath('h', '/x', loose({ typ: 'Directory' })), 'UnknownField', /did you mean "type"/);
    builderError(() => Volume.fromImage('i', 'busybox', loose({ pullpolicy: 'Always' })), 'UnknownField', /did you mean "pullPolicy"/);
    builderError(() => Volume.ephemeral('e', loose({ storage: storageSize('1Gi'), accessModes: ['ReadWriteOnce'], storageClass: 'fast' })), 'UnknownField', /did you mean "storageClassName"/);
    builderError(() => Volume.claimTemplate('t', loose({ storage: storageSize('1Gi'), accesModes: ['ReadWriteOnce'] })), 'UnknownField', /did you mean "accessModes"/);
    builderError(() => Volume.projected('p', [Projection.configMap('c')], loose({ mode: 0o400 })), 'UnknownField', /unknown field "mode" — the known fields are "defaultMode"/);
    builderError(() => Volume.downwardAPI('d', [DownwardAPIFile.field('n', 'metadata.name')], loose({ defaultmode: 1 })), 'UnknownField', /did you mean "defaultMode"/);
  });

  it('Projection and DownwardAPIFile', () => {
    builderError(() => Projection.serviceAccountToken('t', loose({ audiance: 'x' })), 'UnknownField', /did you mean "audience"/);
    builderError(() => Projection.configMap('c', loose({ optinal: true })), 'UnknownField', /did you mean "optional"/);
    builderError(() => Projection.secret('s', loose({ itmes: {} })), 'UnknownField', /did you mean "items"/);
    builderError(() => DownwardAPIFile.field('n', 'metadata.name', loose({ mod: 0o400 })), 'UnknownField', /did you mean "mode"/);
    builderError(() => DownwardAPIFile.resource('c', 'limits.cpu', loose({ container: 'web' })), 'UnknownField', /"container"/);
  });

  it('Probe factories', () => {
    builderError(() => Probe.httpGet('/h', 80, loose({ periodSecond: 5 })), 'UnknownField', /did you mean "periodSeconds"/);
    builderError(() => Probe.tcp(80, loose({ hots: 'x' })), 'UnknownField', /did you mean "host"/);
    builderError(() => Probe.exec(['true'], loose({ timeout: 1 })), 'UnknownField', /"timeout"/);
    builderError(() => Probe.grpc(9090, loose({ servce: 'x' })), 'UnknownField', /did you mean "service"/);
  });

  it('EnvValue and EnvFrom', () => {
    builderError(() => EnvValue.fromSecretKey('db', 'pw', loose({ optonal: true })), 'UnknownField', /did you mean "optional"/);
    builderError(() => EnvValue.fromConfigMapKey('cfg', 'k', loose({ Optional: true })), 'UnknownField', /did you mean "optional"/);
    builderError(() => EnvValue.fromFieldRef('metadata.name', loose({ apiversion: 'v1' })), 'UnknownField', /did you mean "apiVersion"/);
    builderError(() => EnvValue.fromResource('limits.cpu', loose({ divsor: '1m' })), 'UnknownField', /did you mean "divisor"/);
    builderError(() => EnvFrom.configMap('cfg', loose({ prefx: 'A_' })), 'UnknownField', /did you mean "prefix"/);
    builderError(() => EnvFrom.secret('s', loose({ prefix: 'A_', opt: true })), 'UnknownField', /"opt"/);
  });

  it('expose() and Service ports', () => {
    const d = deployment('web', template());
    builderError(() => expose(d, loose({ port: 80, tragetPort: 'http' })), 'UnknownField', /did you mean "targetPort"/);
    builderError(() => expose(d).port(loose({ port: 80, nodeport: 30080 })), 'UnknownField', /did you mean "nodePort"/);
    builderError(() => expose(d, { ports: [loose({ port: 80, protcol: 'TCP' })] }), 'UnknownField', /did you mean "protocol"/);
    // The top-level port still works, and its options do not leak into the port.
    expect(expose(d, { port: 80, targetPort: 'http', serviceName: 'svc', type: 'ClusterIP' }).build().spec?.ports).toEqual([{ port: 80, targetPort: 'http' }]);
  });

  it('workload rollingUpdate options and retention policy', () => {
    builderError(() => deployment('web', template()).rollingUpdate(loose({ maxsurge: 1 })), 'UnknownField', /did you mean "maxSurge"/);
    builderError(() => deployment('web', template()).rollingUpdate(loose({ partition: 1 })), 'UnknownField', /"partition"/);
    builderError(() => statefulSet('db', template()).rollingUpdate(loose({ partiton: 1 })), 'UnknownField', /did you mean "partition"/);
    builderError(() => statefulSet('db', template()).persistentVolumeClaimRetentionPolicy(loose({ whenDeletd: 'Delete' })), 'UnknownField', /did you mean "whenDeleted"/);
    builderError(() => daemonSet('agent', template()).rollingUpdate(loose({ maxUnavailble: 1 })), 'UnknownField', /did you mean "maxUnavailable"/);
    // Jobs and CronJobs take no options objects; their builders still build.
    expect(job('once', template().restartPolicy('Never')).build().kind).toBe('Job');
    expect(cronJob('nightly', '0 3 * * *', template().restartPolicy('Never')).build().kind).toBe('CronJob');
  });

  it('podPreset() options', () => {
    builderError(() => podPreset('p', loose({ selector: {}, envFom: [] })), 'UnknownField', /did you mean "envFrom"/);
  });
});

describe('model-typed builder arguments, once the schemas are loaded', () => {
  beforeAll(async () => {
    await loadSchemas();
  });

  const rejects = (fn: () => unknown, path: RegExp): void => {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(path);
  };

  it('pod affinity, toleration, securityContext, volume() (and spec() on build())', () => {
    rejects(() => pod('p').affinity(loose({ nodeAffinty: {} })), /nodeAffinty.*did you mean "nodeAffinity"/);
    rejects(() => pod('p').toleration(loose({ key: 'k', efect: 'NoSchedule' })), /efect.*did you mean "effect"/);
    rejects(() => pod('p').securityContext(loose({ runAsNonroot: true })), /runAsNonroot.*did you mean "runAsNonRoot"/);
    // spec() fields are PodSpec fields verbatim; build() checks the whole Pod.
    rejects(() => pod('p').container(container('c', 'x')).spec(loose({ hostname: 'h', dnsPolicyy: 'None' })).build(), /spec\.dnsPolicyy.*did you mean "dnsPolicy"/);
    rejects(() => pod('p').volume(loose({ name: 'v', emptydir: {} })), /emptydir.*did you mean "emptyDir"/);
    rejects(() => Volume.fromSecret('s', { items: [loose<KeyToPath>({ key: 'a', path: 'a', mdoe: 1 })] }), /mdoe.*did you mean "mode"/);
  });

  it('container probes, securityContext, lifecycle, envFrom and plain Containers', () => {
    rejects(() => container('c', 'x').readinessProbe(loose({ httpGet: { path: '/', port: 80 }, periodSecond: 1 })), /periodSecond.*did you mean "periodSeconds"/);
    rejects(() => container('c', 'x').securityContext(loose({ readOnlyRootFS: true })), /readOnlyRootFS/);
    rejects(() => container('c', 'x').lifecycle(loose({ preStp: {} })), /preStp.*did you mean "preStop"/);
    rejects(() => container('c', 'x').envFrom(loose({ configMapref: { name: 'c' } })), /configMapref.*did you mean "configMapRef"/);
    rejects(() => pod('p').container(loose({ name: 'c', imagee: 'nginx' })), /imagee.*did you mean "image"/);
  });
});
