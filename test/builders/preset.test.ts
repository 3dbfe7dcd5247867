import { describe, expect, it } from 'vitest';
import {
  applyPresets,
  container,
  cronJob,
  deployment,
  EnvFrom,
  EnvValue,
  job,
  pod,
  PODPRESET_EXCLUDE_ANNOTATION,
  podPreset,
  PodPreset,
  statefulSet,
  Volume,
} from '../../src/builders.js';
import type { Pod } from '../../generated/models.js';
import { loadSchemas, ValidationError } from '../../src/core/validation.js';
import { builderError } from './helpers.js';

const web = pod('web')
  .label('app', 'web')
  .container(container('web', 'nginx:1.27').env('MODE', 'prod').mount(Volume.emptyDir('cache'), '/cache'))
  .sidecar(container('proxy', 'envoy:1'));

const injectConfig = podPreset('inject-config', {
  selector: { matchLabels: { app: 'web' } },
  env: { DB_PASSWORD: EnvValue.fromSecretKey('db', 'password') },
  envFrom: [EnvFrom.configMap('app-config')],
  volumes: [Volume.fromSecret('db-tls', { name: 'tls' })],
  volumeMounts: [{ name: 'tls', mountPath: '/etc/tls', readOnly: true }],
  resourceVersion: '42',
});

describe('pod presets', () => {
  it('inject env, envFrom, volumes and volumeMounts into every container, and record the annotation', () => {
    const input = web.build();
    const before = structuredClone(input);
    const out = injectConfig.applyTo(input);
    expect(input).toEqual(before); // pure
    expect(out.metadata?.annotations).toEqual({ 'podpreset.admission.kubernetes.io/podpreset-inject-config': '42' });
    expect(out.spec?.volumes).toEqual([{ name: 'cache', emptyDir: {} }, { name: 'tls', secret: { secretName: 'db-tls' } }]);
    for (const c of [...out.spec!.containers, ...out.spec!.initContainers!]) {
      expect(c.env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'app-config' } }]);
      expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/tls', readOnly: true });
    }
    expect(out.spec?.containers[0]?.env?.[0]).toEqual({ name: 'MODE', value: 'prod' }); // existing first, as the plugin did
  });

  it('annotation value is a stable content hash when no resourceVersion is given', () => {
    const a = podPreset('p', { selector: {}, env: [{ name: 'A', value: '1' }] });
    const b = podPreset('p', { selector: {}, env: { A: '1' } });
    const c = podPreset('p', { selector: {}, env: { A: '2' } });
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect(a.version).toBe(b.version);
    expect(a.version).not.toBe(c.version);
    expect(a.annotationKey).toBe('podpreset.admission.kubernetes.io/podpreset-p');
  });

  it('selects by label selector: matchLabels and matchExpressions; empty selects all', () => {
    const p = (sel: ConstructorParameters<typeof PodPreset>[1]['selector']) => podPreset('p', { selector: sel, env: { X: '1' } });
    const applied = (preset: PodPreset, target: Pod) => preset.annotationKey in (preset.applyTo(target).metadata?.annotations ?? {});
    const w = web.label('tier', 'fe').build();
    expect(applied(p({}), w)).toBe(true);
    expect(applied(p({ matchLabels: { app: 'db' } }), w)).toBe(false);
    expect(applied(p({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }), w)).toBe(true);
    expect(applied(p({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['fe'] }] }), w)).toBe(false);
    expect(applied(p({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), w)).toBe(true);
    expect(applied(p({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }), w)).toBe(true);
    expect(applied(p({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }), w)).toBe(false);
    expect(applied(p({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['be'] }] }), w)).toBe(false);
    const unselected = p({ matchLabels: { app: 'db' } }).applyTo(w);
    expect(unselected).toEqual(w);
    expect(unselected).not.toBe(w);
  });

  it('a preset with a namespace selects only objects in it (or without one)', () => {
    const p = podPreset('p', { selector: {}, env: { X: '1' }, namespace: 'shop' });
    expect(p.applyTo(web.namespace('shop').build()).metadata?.annotations).toBeDefined();
    expect(p.applyTo(web.namespace('other').build()).metadata?.annotations).toBeUndefined();
    expect(p.applyTo(web.build()).metadata?.annotations).toBeDefined();
  });

  it('several presets at once, in order', () => {
    const a = podPreset('a', { selector: {}, env: { A: '1' } });
    const b = podPreset('b', { selector: {}, env: { B: '2', A: '1' } }); // same A, same value: no conflict
    const out = applyPresets(web.build(), [a, b]);
    expect(out.spec?.containers[0]?.env).toEqual([{ name: 'MODE', value: 'prod' }, { name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(Object.keys(out.metadata?.annotations ?? {})).toEqual(['podpreset.admission.kubernetes.io/podpreset-a', 'podpreset.admission.kubernetes.io/podpreset-b']);
  });

  it('a conflict is an error listing every conflict, and nothing is applied', () => {
    const input = web.build();
    const conflicting = podPreset('clash', {
      selector: {},
      env: { MODE: 'dev' },
      volumes: [Volume.fromConfigMap('cfg', { name: 'cache' })],
      volumeMounts: [{ name: 'other', mountPath: '/cache' }],
    });
    const e = builderError(() => applyPresets(input, [injectConfig, conflicting]), 'PresetConflict', /nothing was applied/);
    expect(e.message).toMatch(/preset 'clash' sets env 'MODE'/);
    expect(e.message).toMatch(/preset 'clash' sets volume 'cache'/);
    expect(e.message).toMatch(/where volume 'cache' is already mounted/);
    expect(input).toEqual(web.build());
    // Conflicts between two presets count too.
    builderError(() => applyPresets(input, [podPreset('a', { selector: {}, env: { X: '1' } }), podPreset('b', { selector: {}, env: { X: '2' } })]), 'PresetConflict', /preset 'b' sets env 'X'/);
    // The same volume name mounted differently is a conflict, as in the plugin.
    builderError(() => podPreset('m', { selector: {}, volumeMounts: [{ name: 'cache', mountPath: '/elsewhere' }] }).applyTo(input), 'PresetConflict', /mounts volume 'cache'/);
  });

  it('a preset mount of a volume nobody defines is an error', () => {
    builderError(() => podPreset('m', { selector: {}, volumeMounts: [{ name: 'ghost', mountPath: '/g' }] }).applyTo(web.build()), 'UnknownVolume', /neither the pod nor the presets define/);
  });

  it('takes builders too (built first)', () => {
    expect(injectConfig.applyTo(web)).toEqual(injectConfig.applyTo(web.build()));
    const d = deployment('web', pod().label('app', 'web').container(container('web', 'nginx:1.27')));
    expect(applyPresets(d, [injectConfig]).spec?.template.metadata?.annotations).toEqual({ 'podpreset.admission.kubernetes.io/podpreset-inject-config': '42' });
  });

  it('identical entries are not repeated: applying twice changes nothing', () => {
    const once = injectConfig.applyTo(web.build());
    expect(injectConfig.applyTo(once)).toEqual(once);
  });

  it('a pod annotated to opt out, and a mirror pod, are left alone', () => {
    const optedOut = web.annotation(PODPRESET_EXCLUDE_ANNOTATION, 'true').build();
    expect(injectConfig.applyTo(optedOut)).toEqual(optedOut);
    const mirror = web.annotation('kubernetes.io/config.mirror', 'x').build();
    expect(injectConfig.applyTo(mirror)).toEqual(mirror);
    const notQuite = web.annotation(PODPRESET_EXCLUDE_ANNOTATION, 'false').build();
    expect(injectConfig.applyTo(notQuite)).not.toEqual(notQuite);
  });

  it('applies to workload templates: Deployment, StatefulSet, Job, CronJob; opt-out on the template', () => {
    const tpl = pod().label('app', 'web').container(container('web', 'nginx:1.27'));
    const d = injectConfig.applyTo(deployment('web', tpl).build());
    expect(d.spec?.template.metadata?.annotations).toEqual({ 'podpreset.admission.kubernetes.io/podpreset-inject-config': '42' });
    expect(d.metadata?.annotations).toBeUndefined();
    expect(d.spec?.template.spec?.volumes).toEqual([{ name: 'tls', secret: { secretName: 'db-tls' } }]);
    expect(injectConfig.applyTo(statefulSet('web', tpl).build()).spec?.template.spec?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'app-config' } }]);
    const batch = tpl.restartPolicy('Never');
    expect(injectConfig.applyTo(job('j', batch).build()).spec?.template.spec?.containers[0]?.env).toHaveLength(1);
    const cj = injectConfig.applyTo(cronJob('c', '@daily', batch).build());
    expect(cj.spec?.jobTemplate.spec?.template.spec?.containers[0]?.volumeMounts).toEqual([{ name: 'tls', mountPath: '/etc/tls', readOnly: true }]);
    const optedOut = deployment('web', tpl.annotation(PODPRESET_EXCLUDE_ANNOTATION, 'true')).build();
    expect(injectConfig.applyTo(optedOut)).toEqual(optedOut);
  });

  it('reads old settings.k8s.io/v1alpha1 objects and writes them back', () => {
    const obj = {
      apiVersion: 'settings.k8s.io/v1alpha1',
      kind: 'PodPreset',
      metadata: { name: 'allow-database', namespace: 'myns', resourceVersion: '7' },
      spec: { selector: { matchLabels: { role: 'frontend' } }, env: [{ name: 'DB_PORT', value: '6379' }], volumeMounts: [{ mountPath: '/cache', name: 'cache-volume' }], volumes: [{ name: 'cache-volume', emptyDir: {} }] },
    };
    const p = PodPreset.fromObject(obj);
    expect(p.version).toBe('7');
    expect(p.namespace).toBe('myns');
    expect(p.toObject()).toEqual({ ...obj, metadata: { name: 'allow-database', namespace: 'myns' } });
    const out = p.applyTo(pod('website').namespace('myns').label('role', 'frontend').container(container('website', 'nginx')).build());
    expect(out.spec?.containers[0]).toEqual({ name: 'website', image: 'nginx', env: [{ name: 'DB_PORT', value: '6379' }], volumeMounts: [{ mountPath: '/cache', name: 'cache-volume' }] });
    expect(out.metadata?.annotations).toEqual({ 'podpreset.admission.kubernetes.io/podpreset-allow-database': '7' });
  });

  it('preset mistakes are errors at podPreset()', async () => {
    await loadSchemas(); // for the schema checks of the parts
    builderError(() => podPreset('p', { selector: {}, volumes: [Volume.emptyDir('a'), Volume.fromSecret('s', { name: 'a' })] }), 'DuplicateVolume');
    builderError(() => podPreset('p', { selector: {}, env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }), 'DuplicateEnv');
    builderError(() => podPreset('p', { selector: {}, volumeMounts: [{ name: 'a', mountPath: '/x' }, { name: 'b', mountPath: '/x' }] }), 'DuplicateMountPath');
    builderError(() => podPreset('p', { selector: {}, volumeMounts: [{ name: 'a', mountPath: 'rel' }] }), 'InvalidArgument', /absolute/);
    builderError(() => podPreset('p', { selector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }), 'InvalidArgument', /at least one value/);
    builderError(() => podPreset('p', { selector: { matchExpressions: [{ key: 'a', operator: 'Has' }] } }), 'InvalidArgument', /must be In, NotIn/);
    expect(() => podPreset('p', { selector: {}, volumes: [{ name: 'v', emptyDir: {}, bogus: 1 } as never] })).toThrow(ValidationError);
    expect(() => podPreset('p', { selector: {}, env: [{ name: 'A', valu: '1' } as never] })).toThrow(/unknown field "valu" — did you mean "value"\?/);
    builderError(() => applyPresets({ apiVersion: 'v1', kind: 'Service' } as never, [injectConfig]), 'InvalidArgument', /not to Service/);
  });
});
