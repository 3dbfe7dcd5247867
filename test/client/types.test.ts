// Compile-time checks of the fluent surface (tsc runs over test/); the runtime part checks the getters exist.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ConfigMap, Deployment, Namespace, Pod, Scale } from '../../generated/models.js';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { NoCredentials } from '../../src/config/credentials.js';
import { Kube } from '../../src/kube.js';
import type { KubeList, KubeObject } from '../../src/client/types.js';

const kube = new Kube(new ClusterConfig({ server: 'https://127.0.0.1:1', credentials: new NoCredentials() }));

describe('fluent handle types', () => {
  it('types resources from the generated table', () => {
    expectTypeOf(kube.pods.namespace('web').get).returns.resolves.toEqualTypeOf<Pod>();
    expectTypeOf(kube.deployments.namespace('web').apply).returns.resolves.toEqualTypeOf<Deployment>();
    expectTypeOf(kube.namespaces.list).returns.resolves.toEqualTypeOf<KubeList<Namespace>>();
    expectTypeOf(kube.deployments.namespace().scale).returns.resolves.toEqualTypeOf<Scale>();
    expectTypeOf(kube.resource('v1/configmaps').namespace('x').get).returns.resolves.toEqualTypeOf<ConfigMap>();
  });

  it('enforces scope and capabilities', () => {
    // @ts-expect-error cluster-scoped: no namespace step
    void (() => kube.namespaces.namespace('x'));
    // @ts-expect-error namespaced: get needs a namespace first
    void (() => kube.pods.get('x'));
    // @ts-expect-error configmaps have no scale subresource
    void (() => kube.configmaps.namespace('x').scale('a', 1));
    // @ts-expect-error only pods have logs
    void (() => kube.deployments.namespace('x').logs('a'));
    // @ts-expect-error bindings cannot be listed
    void (() => kube.bindings.namespace('x').list());
    expectTypeOf(kube.pods.namespace('x').logs).toBeFunction();
    expectTypeOf(kube.pods.namespace('x').evict).toBeFunction();
    expectTypeOf(kube.pods.list).toBeFunction();
    expectTypeOf(kube.pods.watch).toBeFunction();
    expectTypeOf(kube.clusterroles.get).toBeFunction();
    // Raw subresources by name; streaming ones (exec, attach, …) are not reachable this way.
    expectTypeOf(kube.serviceaccounts.namespace('x').subresource).parameter(1).toEqualTypeOf<'token'>();
    expectTypeOf(kube.pods.namespace('x').subresource).parameter(1).toEqualTypeOf<'binding' | 'ephemeralcontainers' | 'eviction' | 'resize' | 'status'>();
    // @ts-expect-error configmaps have no subresources at all
    void (() => kube.configmaps.namespace('x').subresource('a', 'status'));
  });

  it('types custom resources by the caller', () => {
    interface CronTab extends KubeObject {
      spec?: { cronSpec?: string };
    }
    const tabs = kube.customResource<CronTab>({ group: 'stable.example.com', version: 'v1', plural: 'crontabs', kind: 'CronTab', namespaced: true });
    expectTypeOf(tabs.namespace('x').get).returns.resolves.toEqualTypeOf<CronTab>();
    // @ts-expect-error no status subresource declared
    void (() => tabs.namespace('x').getStatus('a'));
    const cluster = kube.resource({ group: 'example.com', version: 'v1', plural: 'things', kind: 'Thing', namespaced: false, subresources: ['status'] });
    expectTypeOf(cluster.getStatus).toBeFunction();
    // @ts-expect-error cluster-scoped custom resource
    void (() => cluster.namespace('x'));
  });

  it('exposes a getter per preferred resource name', () => {
    expect(kube.pods.info.plural).toBe('pods');
    expect(kube.deployments.info.group).toBe('apps');
    expect(kube.pods).toBe(kube.pods);
    expect(kube.pods.namespace().namespaceName).toBe('default');
    expect(() => (kube.namespaces as unknown as { namespace(n: string): unknown }).namespace('x')).toThrow(/cluster-scoped/);
  });
});
