// A builder is an immutable value: deriving one never changes its parent. Checked with random
// sequences of derivations from a shared parent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { container, cpu, deployment, EnvFrom, expose, pod, Probe, Volume, type ContainerBuilder, type PodBuilder } from '../../src/builders.js';

const containerSteps: readonly ((c: ContainerBuilder, i: number) => ContainerBuilder)[] = [
  (c, i) => c.env(`V${i}`, String(i)),
  (c, i) => c.port(10000 + i, `p${i}`),
  (c, i) => c.mount(Volume.emptyDir(`v${i}`), `/m${i}`),
  (c) => c.resources({ requests: { cpu: cpu('100m') } }),
  (c) => c.envFrom(EnvFrom.configMap('cfg')),
  (c) => c.args('x'),
  (c) => c.livenessProbe(Probe.tcp(80)),
];

const podSteps: readonly ((p: PodBuilder, i: number) => PodBuilder)[] = [
  (p, i) => p.label(`l${i}`, 'v'),
  (p, i) => p.annotation(`a${i}`, 'v'),
  (p, i) => p.container(container(`c${i}`, 'x').port(20000 + i)),
  (p, i) => p.volume(Volume.emptyDir(`pv${i}`)),
  (p, i) => p.nodeSelector(`n${i}`, 'v'),
  (p) => p.serviceAccount('sa'),
  (p, i) => p.toleration({ key: `t${i}`, operator: 'Exists' }),
];

describe('immutability', () => {
  it('container derivations leave the parent unchanged', () => {
    const parent = container('base', 'x').env('BASE', '1').port(80, 'http');
    const before = parent.toObject();
    fc.assert(
      fc.property(fc.array(fc.nat(containerSteps.length - 1), { maxLength: 12 }), (steps) => {
        steps.reduce((c, s, i) => containerSteps[s]!(c, i), parent).toObject();
        expect(parent.toObject()).toEqual(before);
        expect(parent.volumes).toEqual([]);
      }),
    );
  });

  it('pod derivations leave the parent unchanged', () => {
    const parent = pod('base').label('app', 'a').container(container('main', 'x').port(80));
    const before = parent.build();
    fc.assert(
      fc.property(fc.array(fc.nat(podSteps.length - 1), { maxLength: 12 }), (steps) => {
        steps.reduce((p, s, i) => podSteps[s]!(p, i), parent).build();
        expect(parent.build()).toEqual(before);
      }),
    );
  });

  it('workload and service derivations leave the parent unchanged; outputs are fresh, mutable copies', () => {
    const tpl = pod().label('app', 'a').container(container('main', 'x').port(80, 'http'));
    const d = deployment('d', tpl);
    const before = d.build();
    d.replicas(3).select({ app: 'a', extra: 'x' }).recreate().label('x', 'y');
    expect(d.build()).toEqual(before);
    const out = d.build();
    out.spec!.replicas = 9; // the output is the caller's to change
    out.spec!.template.metadata!.labels!.app = 'changed';
    expect(d.build()).toEqual(before);
    const s = expose(d, { port: 80, targetPort: 'http' });
    const sBefore = s.build();
    s.type('NodePort').port({ name: 'x', port: 81, targetPort: 80 });
    expect(s.build()).toEqual(sBefore);
  });

  it('inputs are copied: changing what was passed in later changes nothing', () => {
    const v = { name: 'data', emptyDir: {} as { medium?: string } };
    const p = pod('p').volume(v).container(container('c', 'x').mount('data', '/d'));
    v.emptyDir.medium = 'Memory';
    expect(p.build().spec?.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(Object.isFrozen(v)).toBe(false);
  });
});
