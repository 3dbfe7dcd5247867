// Unit: with some binaries already at hand (setup-envtest's KUBEBUILDER_ASSETS gives etcd and
// kube-apiserver), only the missing ones are built.
import { describe, expect, it } from 'vitest';
import { missingBuilds } from '../../testenv/binaries.js';

describe('missingBuilds', () => {
  it('builds everything when nothing is found', () => {
    expect(missingBuilds(new Map()).map((m) => [m.component, m.binaries])).toEqual([
      ['etcd', ['etcd']],
      ['kwok', ['kwok']],
      ['kubernetes', ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']],
    ]);
  });

  it('with KUBEBUILDER_ASSETS (etcd, kube-apiserver): only the controller manager, the scheduler and kwok', () => {
    const found = new Map([['etcd', {}], ['kube-apiserver', {}]]);
    expect(missingBuilds(found)).toEqual([
      { component: 'kwok', binaries: ['kwok'], packages: ['sigs.k8s.io/kwok/cmd/kwok'] },
      { component: 'kubernetes', binaries: ['kube-controller-manager', 'kube-scheduler'], packages: ['k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-scheduler'] },
    ]);
  });

  it('nothing when every binary is found', () => {
    const all = ['etcd', 'kwok', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
    expect(missingBuilds(new Map(all.map((n) => [n, {}])))).toEqual([]);
  });
});
