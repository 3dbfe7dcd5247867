import { describe, expect, test } from 'vitest';
import { preferred, resourceKeysByKind, resources, type ResourceKey } from '../../generated/resources.js';
import { schemaByName, schemaNameFor } from '../../generated/schemas.js';
import { apiVersionOf, type ResourceInfo } from '../../src/core/resource-info.js';
import { parseResourcePath } from '../../scripts/generate/resource-table.js';

const entries = Object.entries(resources) as [ResourceKey, ResourceInfo & { schema: string; listSchema?: string }][];

describe('resource table', () => {
  test('covers every built-in resource, keyed <apiVersion>/<plural>, none from /watch/ paths', () => {
    expect(entries.length).toBe(100);
    for (const [key, r] of entries) {
      expect(key).toBe(`${apiVersionOf(r)}/${r.plural}`);
      expect(r.plural).not.toBe('watch');
      expect(r.singular).toBe(r.kind.toLowerCase());
      expect([...r.verbs]).toEqual([...r.verbs].sort());
      expect(schemaByName(r.schema), key).toBeDefined();
      expect(schemaNameFor(apiVersionOf(r), r.kind)).toBe(r.schema);
      if (r.listSchema !== undefined) expect(schemaByName(r.listSchema), key).toBeDefined();
      expect(resourceKeysByKind[`${apiVersionOf(r)}/${r.kind}` as keyof typeof resourceKeysByKind]).toBe(key);
    }
  });

  test('pods: namespaced, every verb, the pod subresources', () => {
    expect(resources['v1/pods']).toEqual({
      group: '',
      version: 'v1',
      kind: 'Pod',
      plural: 'pods',
      singular: 'pod',
      namespaced: true,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'resize', 'status'],
      schema: 'io.k8s.api.core.v1.Pod',
      listSchema: 'io.k8s.api.core.v1.PodList',
    });
  });

  test('scale, approval, token, finalize subresources; scope', () => {
    expect(resources['apps/v1/deployments'].subresources).toEqual(['scale', 'status']);
    expect(resources['v1/replicationcontrollers'].subresources).toEqual(['scale', 'status']);
    expect(resources['certificates.k8s.io/v1/certificatesigningrequests'].subresources).toEqual(['approval', 'status']);
    expect(resources['v1/serviceaccounts'].subresources).toEqual(['token']);
    expect(resources['v1/namespaces']).toMatchObject({ namespaced: false, subresources: ['finalize', 'status'] });
    expect(resources['v1/namespaces'].verbs).not.toContain('deletecollection');
    expect(resources['v1/nodes'].namespaced).toBe(false);
    expect(resources['apiextensions.k8s.io/v1/customresourcedefinitions'].namespaced).toBe(false);
  });

  test('create-only and unwatchable resources', () => {
    expect(resources['authorization.k8s.io/v1/selfsubjectaccessreviews'].verbs).toEqual(['create']);
    expect(resources['authorization.k8s.io/v1/localsubjectaccessreviews'].namespaced).toBe(true);
    expect(resources['v1/bindings'].verbs).toEqual(['create']);
    expect(resources['v1/componentstatuses'].verbs).toEqual(['get', 'list']);
  });

  test('preferred: GA over beta over alpha, autoscaling/v2, core events', () => {
    expect(preferred.pods).toBe('v1/pods');
    expect(preferred.deployments).toBe('apps/v1/deployments');
    expect(preferred.horizontalpodautoscalers).toBe('autoscaling/v2/horizontalpodautoscalers');
    expect(preferred.events).toBe('v1/events');
    expect(preferred.resourceclaims).toBe('resource.k8s.io/v1/resourceclaims');
    expect(preferred.leasecandidates).toBe('coordination.k8s.io/v1beta1/leasecandidates');
    for (const [plural, key] of Object.entries(preferred)) expect(resources[key].plural).toBe(plural);
  });
});

describe('parseResourcePath', () => {
  test.each([
    ['/api/v1/namespaces/{namespace}/pods/{name}/log', { group: '', version: 'v1', plural: 'pods', namespaced: true, subresource: 'log', watchOnly: false }],
    ['/api/v1/namespaces/{name}/finalize', { group: '', version: 'v1', plural: 'namespaces', namespaced: false, subresource: 'finalize', watchOnly: false }],
    ['/api/v1/namespaces', { group: '', version: 'v1', plural: 'namespaces', namespaced: false, subresource: undefined, watchOnly: false }],
    ['/apis/apps/v1/watch/namespaces/{namespace}/deployments', { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, subresource: undefined, watchOnly: true }],
    ['/api/v1/nodes/{name}/proxy/{path}', { group: '', version: 'v1', plural: 'nodes', namespaced: false, subresource: 'proxy', watchOnly: false }],
  ])('%s', (path, expected) => {
    expect(parseResourcePath(path)).toEqual(expected);
  });

  test.each(['/apis/apps/v1/', '/api/', '/version/', '/.well-known/openid-configuration', '/openid/v1/jwks/'])('%s is not a resource', (path) => {
    expect(parseResourcePath(path)).toBeUndefined();
  });
});
