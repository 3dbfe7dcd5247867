import { describe, expect, it } from 'vitest';
import { DownwardAPIFile, memory, Projection, storageSize, Volume } from '../../src/builders.js';
import { schemaByName } from '../../generated/schemas.js';
import { builderError } from './helpers.js';

const volumeSchema = schemaByName('io.k8s.api.core.v1.Volume', 'strict')!;

describe('Volume', () => {
  it('emptyDir with medium and sizeLimit; nothing by default', () => {
    expect(Volume.emptyDir('cache')).toEqual({ name: 'cache', emptyDir: {} });
    expect(Volume.emptyDir('tmp', { medium: 'Memory', sizeLimit: memory('64Mi') })).toEqual({ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
  });

  it('configMap with items and defaultMode', () => {
    expect(Volume.fromConfigMap('cfg')).toEqual({ name: 'cfg', configMap: { name: 'cfg' } });
    expect(Volume.fromConfigMap('app-config', { name: 'conf', items: { 'app.yaml': 'conf/app.yaml' }, defaultMode: 0o440, optional: true })).toEqual({
      name: 'conf',
      configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'conf/app.yaml' }], defaultMode: 0o440, optional: true },
    });
  });

  it('secret with items (list form) and defaultMode', () => {
    expect(Volume.fromSecret('tls', { items: [{ key: 'tls.crt', path: 'cert.pem', mode: 0o400 }], defaultMode: 0o400 })).toEqual({
      name: 'tls',
      secret: { secretName: 'tls', items: [{ key: 'tls.crt', path: 'cert.pem', mode: 0o400 }], defaultMode: 0o400 },
    });
  });

  it('persistentVolumeClaim, hostPath, image', () => {
    expect(Volume.fromPersistentVolumeClaim('data', { readOnly: true })).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } });
    expect(Volume.fromHostPath('logs', '/var/log', { type: 'Directory' })).toEqual({ name: 'logs', hostPath: { path: '/var/log', type: 'Directory' } });
    expect(Volume.fromImage('model', 'registry.example/model:v1', { pullPolicy: 'IfNotPresent' })).toEqual({ name: 'model', image: { reference: 'registry.example/model:v1', pullPolicy: 'IfNotPresent' } });
  });

  it('projected: serviceAccountToken, configMap, secret, downwardAPI', () => {
    const v = Volume.projected(
      'all-in-one',
      [
        Projection.serviceAccountToken('token', { audience: 'vault', expirationSeconds: 3600 }),
        Projection.configMap('cfg', { items: { a: 'a.txt' } }),
        Projection.secret('creds'),
        Projection.downwardAPI([DownwardAPIFile.field('labels', 'metadata.labels')]),
      ],
      { defaultMode: 0o444 },
    );
    expect(v).toEqual({
      name: 'all-in-one',
      projected: {
        defaultMode: 0o444,
        sources: [
          { serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 3600 } },
          { configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.txt' }] } },
          { secret: { name: 'creds' } },
          { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        ],
      },
    });
  });

  it('downwardAPI with field and resource files', () => {
    expect(
      Volume.downwardAPI('podinfo', [
        DownwardAPIFile.field('name', 'metadata.name', { mode: 0o444 }),
        DownwardAPIFile.resource('cpu', 'limits.cpu', { containerName: 'app', divisor: '1m' }),
      ]),
    ).toEqual({
      name: 'podinfo',
      downwardAPI: {
        items: [
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o444 },
          { path: 'cpu', resourceFieldRef: { resource: 'limits.cpu', containerName: 'app', divisor: '1m' } },
        ],
      },
    });
  });

  it('ephemeral claim, with required access modes and no default storage class', () => {
    expect(Volume.ephemeral('scratch', { storage: storageSize('1Gi'), accessModes: ['ReadWriteOnce'] })).toEqual({
      name: 'scratch',
      ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } },
    });
  });

  it('every factory output passes the strict Volume schema', () => {
    const all = [
      Volume.emptyDir('a', { sizeLimit: memory('1Gi') }),
      Volume.fromConfigMap('b', { items: { k: 'p' } }),
      Volume.fromSecret('c', { defaultMode: 0o600 }),
      Volume.fromPersistentVolumeClaim('d'),
      Volume.fromHostPath('e', '/tmp'),
      Volume.projected('f', [Projection.serviceAccountToken('t')]),
      Volume.downwardAPI('g', [DownwardAPIFile.field('n', 'metadata.name')]),
      Volume.fromImage('h', 'busybox'),
      Volume.ephemeral('i', { storage: storageSize('1Gi'), accessModes: ['ReadWriteOnce'], storageClassName: 'fast', labels: { a: 'b' } }),
    ];
    for (const v of all) expect(volumeSchema.safeParse(v).success, v.name).toBe(true);
  });

  it('outputs are frozen values', () => {
    const v = Volume.emptyDir('a');
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.emptyDir)).toBe(true);
  });

  it('mistakes are errors at the call', () => {
    builderError(() => Volume.emptyDir('Bad_Name'), 'InvalidName', /volume name/);
    builderError(() => Volume.fromConfigMap('my.config'), 'InvalidName', /DNS label/);
    builderError(() => Volume.fromSecret('s', { defaultMode: 0o1777 }), 'InvalidArgument', /0o777/);
    builderError(() => Volume.fromConfigMap('c', { items: { k: '../etc/passwd' } }), 'InvalidArgument', /relative/);
    builderError(() => Volume.fromConfigMap('c', { items: { k: '/abs' } }), 'InvalidArgument', /relative/);
    builderError(() => Volume.fromHostPath('h', 'relative'), 'InvalidArgument', /absolute/);
    builderError(() => Volume.projected('p', []), 'InvalidArgument', /at least one source/);
    builderError(() => Projection.serviceAccountToken('t', { expirationSeconds: 60 }), 'InvalidArgument', /at least 600/);
    builderError(() => Volume.emptyDir('x', { sizeLimit: '1GB' as never }), 'InvalidQuantity');
    builderError(() => Volume.ephemeral('x', { storage: storageSize('1Gi'), accessModes: [] }), 'InvalidArgument', /access mode/);
  });
});
