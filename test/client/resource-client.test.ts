// The request each verb sends, checked against a scripted local server (no cluster needed).
import { afterEach, describe, expect, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import { StaticTokenCredentials } from '../../src/config/credentials.js';
import { UsageError, KubefluentError } from '../../src/core/errors.js';
import { jsonPatch, strategicMergePatch } from '../../src/core/patch.js';
import { ValidationError } from '../../src/core/validation.js';
import type { DebugEvent } from '../../src/transport/transport.js';
import { config, json, status, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function echo(options: ConstructorParameters<typeof Kube>[1] = {}): Promise<{ kube: Kube; server: TestServer }> {
  server = await startServer((req, res, body) => {
    if (req.method === 'DELETE') return json(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    if (req.url?.includes('/scale')) return json(res, 200, { kind: 'Scale', spec: { replicas: 3 } });
    if (req.method === 'GET' && req.url?.startsWith('/api/v1/namespaces/web/pods?')) {
      const u = new URL(req.url, 'http://x');
      const page = u.searchParams.get('continue') ?? '0';
      const n = Number(page);
      return json(res, 200, { kind: 'PodList', metadata: n < 2 ? { continue: String(n + 1), resourceVersion: '9' } : { resourceVersion: '9' }, items: [{ metadata: { name: `p${n}` } }] });
    }
    // A JSON patch body is an array; the server answers with the object, never the patch.
    const sent: unknown = body ? JSON.parse(body) : undefined;
    return json(res, 200, sent !== undefined && !Array.isArray(sent) ? sent : { metadata: { name: 'x' } });
  });
  return { kube: new Kube(config(server.url, { namespace: 'web' }), options), server };
}

const dep = {
  metadata: { name: 'app' },
  spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } },
};

describe('ResourceClient requests', () => {
  it('create fills apiVersion, kind and namespace; writes default to fieldValidation=Strict and fieldManager=kubefluent', async () => {
    const { kube, server } = await echo();
    const created = await kube.deployments.namespace().create(dep);
    expect(created).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'web' } });
    const r = server.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/apis/apps/v1/namespaces/web/deployments?fieldManager=kubefluent&fieldValidation=Strict');
    expect(r.headers['content-type']).toBe('application/json');
    await kube.deployments.namespace('web').create(dep, { dryRun: true, fieldValidation: 'Warn', fieldManager: 'me' });
    expect(server.requests[1]!.url).toBe('/apis/apps/v1/namespaces/web/deployments?fieldManager=me&fieldValidation=Warn&dryRun=All');
  });

  it('apply sends apply-patch+yaml with the caller\'s manager and force', async () => {
    const { kube, server } = await echo({ fieldManager: 'client-wide' });
    await kube.deployments.namespace('web').apply({ metadata: { name: 'app' }, spec: { replicas: 2 } });
    await kube.deployments.namespace('web').apply({ metadata: { name: 'app' }, spec: { replicas: 2 } }, { fieldManager: 'per-call', force: true });
    expect(server.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([
      ['PATCH', '/apis/apps/v1/namespaces/web/deployments/app?fieldManager=client-wide&fieldValidation=Strict', 'application/apply-patch+yaml'],
      ['PATCH', '/apis/apps/v1/namespaces/web/deployments/app?fieldManager=per-call&fieldValidation=Strict&force=true', 'application/apply-patch+yaml'],
    ]);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'web' }, spec: { replicas: 2 } });
  });

  it('patch picks the content type from the patch kind; a bare object is a merge patch', async () => {
    const { kube, server } = await echo();
    const pods = kube.pods.namespace('web');
    await pods.patch('a', { metadata: { labels: { x: 'y' } } });
    await pods.patch('a', jsonPatch([{ op: 'remove', path: '/metadata/labels/x' }]));
    await pods.patch('a', strategicMergePatch({ spec: { containers: [{ name: 'c', image: 'i' }] } }));
    expect(server.requests.map((r) => r.headers['content-type'])).toEqual([
      'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json',
    ]);
    expect(JSON.parse(server.requests[1]!.body)).toEqual([{ op: 'remove', path: '/metadata/labels/x' }]);
  });

  it('delete sends DeleteOptions; deleteCollection sends selectors', async () => {
    const { kube, server } = await echo();
    expect(await kube.pods.namespace('web').delete('a', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: true })).toBeUndefined();
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] });
    await kube.pods.namespace('web').deleteCollection({ labelSelector: { app: 'a' }, fieldSelector: { 'status.phase': 'Failed' } });
    expect(server.requests[1]!.url).toBe('/api/v1/namespaces/web/pods?labelSelector=app%3Da&fieldSelector=status.phase%3DFailed');
  });

  it('subresources: scale, status, eviction, logs', async () => {
    const { kube, server } = await echo();
    expect((await kube.deployments.namespace('web').scale('app', 3)).spec?.replicas).toBe(3);
    expect(server.requests[0]).toMatchObject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/web/deployments/app/scale?fieldManager=kubefluent&fieldValidation=Strict' });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ spec: { replicas: 3 } });
    await kube.pods.namespace('web').patchStatus('a', { status: { phase: 'Running' } });
    expect(server.requests[1]!.url).toMatch(/^\/api\/v1\/namespaces\/web\/pods\/a\/status\?/);
    await kube.pods.namespace('web').evict('a', { dryRun: true, deleteOptions: { gracePeriodSeconds: 5 } });
    expect(JSON.parse(server.requests[2]!.body)).toEqual({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'a', namespace: 'web' }, deleteOptions: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 5 } });
    expect(server.requests[2]!.url).toBe('/api/v1/namespaces/web/pods/a/eviction?dryRun=All');
    await kube.pods.namespace('web').logs('a', { container: 'c', tailLines: 10 });
    expect(server.requests[3]!.url).toBe('/api/v1/namespaces/web/pods/a/log?container=c&tailLines=10');
    await expect(() => kube.deployments.namespace('web').scale('app', -1)).rejects.toThrow(UsageError);
  });

  it('lists follow continue tokens; items get apiVersion and kind', async () => {
    const { kube } = await echo();
    const names: string[] = [];
    for await (const p of kube.pods.namespace('web').iterate({ limit: 1 })) {
      names.push(p.metadata?.name ?? '');
      expect(p).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    }
    expect(names).toEqual(['p0', 'p1', 'p2']);
  });

  it('rejects bodies that name another namespace, kind or apiVersion, and unnamed replaces', async () => {
    const { kube, server } = await echo();
    const cms = kube.configmaps.namespace('web');
    await expect(cms.create({ metadata: { name: 'a', namespace: 'other' } })).rejects.toThrow(/does not match the handle's namespace/);
    await expect(cms.create({ kind: 'Secret', metadata: { name: 'a' } })).rejects.toThrow(/kind Secret/);
    await expect(cms.create({ apiVersion: 'v2', metadata: { name: 'a' } })).rejects.toThrow(/apiVersion v2/);
    await expect(cms.replace({ data: {} })).rejects.toThrow(/needs metadata.name/);
    const things = kube.resource({ group: 'example.com', version: 'v1', plural: 'things', namespaced: false });
    await expect(things.create({ metadata: { name: 'a' } })).rejects.toThrow(/needs a kind/);
    expect(server.requests).toHaveLength(0);
    await things.create({ kind: 'Thing', metadata: { name: 'a' } });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a' } });
  });

  it('validates writes client-side (opt-out per client and per call), reads when asked', async () => {
    const { kube, server } = await echo();
    const bad = { metadata: { name: 'a' }, spec: { contianers: [] } } as unknown as Parameters<ReturnType<typeof kube.pods.namespace>['create']>[0];
    const err = await kube.pods.namespace('web').create(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toContain('spec.contianers');
    expect(server.requests).toHaveLength(0);
    await kube.pods.namespace('web').create(bad, { validate: false });
    expect(server.requests).toHaveLength(1);
    const off = new Kube(config(server.url), { validate: false });
    await off.pods.namespace('web').create(bad);
    expect(server.requests).toHaveLength(2);
    await expect(kube.pods.namespace('web').get('bad', { validate: true })).resolves.toBeDefined();
    // Apply configurations are partial: missing required fields pass, unknown ones do not.
    await kube.deployments.namespace('web').apply({ metadata: { name: 'app' }, spec: { replicas: 1 } }, { fieldManager: 'm' });
    const typo = { metadata: { name: 'app' }, spec: { replica: 1 } } as unknown as Parameters<ReturnType<typeof kube.deployments.namespace>['apply']>[0];
    await expect(kube.deployments.namespace('web').apply(typo, { fieldManager: 'm' })).rejects.toThrow(/unknown field "replica"/);
  });

  it('Kube.connect reads a kubeconfig; resource() rejects unknown keys', async () => {
    const kube = await Kube.connect({ kubeconfig: { clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:9' } }], contexts: [{ name: 'x', context: { cluster: 'c', namespace: 'ns1' } }], 'current-context': 'x' } });
    expect(kube.defaultNamespace).toBe('ns1');
    expect(kube.pods.namespace().namespaceName).toBe('ns1');
    expect(() => kube.resource('v1/nope' as 'v1/pods')).toThrow(UsageError);
    const custom = kube.resource({ group: 'example.com', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true });
    expect(custom.namespace('a').info.plural).toBe('things');
  });

  it('no credential reaches error messages or the debug hook', async () => {
    const token = 'sekret-token-0123456789abcdef';
    server = await startServer((_q, res, _b, n) => (n === 1 ? json(res, 403, status(403, 'Forbidden', 'no')) : json(res, 500, status(500, 'InternalError', `echo Bearer ${token}`))));
    const events: DebugEvent[] = [];
    const kube = new Kube(config(server.url, { credentials: new StaticTokenCredentials(token) }), { onDebug: (e) => events.push(e), retry: false });
    const errors = [
      await kube.pods.namespace('a').get('x').catch((e: unknown) => e),
      await kube.pods.namespace('a').get('x').catch((e: unknown) => e),
    ];
    const text = [...errors.map((e) => `${String(e)} ${(e as Error).message} ${JSON.stringify(e)}`), ...events.map((e) => JSON.stringify(e)), JSON.stringify(kube.config), String(kube.config.credentials)].join('\n');
    expect(errors.every((e) => e instanceof KubefluentError)).toBe(true);
    expect(events.some((e) => e.type === 'request' && e.headers.authorization === '<redacted>')).toBe(true);
    expect(text).not.toContain(token);
  });

  it('followLogs streams lines across chunk boundaries until the server ends', async () => {
    server = await startServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('line one\nline t');
      setTimeout(() => {
        res.write('wo\nünïcode\n');
        res.end('last without newline');
      }, 50);
    });
    const kube = new Kube(config(server.url));
    const lines: string[] = [];
    for await (const l of kube.pods.namespace('web').followLogs('p', { container: 'c' })) lines.push(l);
    expect(lines).toEqual(['line one', 'line two', 'ünïcode', 'last without newline']);
    expect(server.requests[0]!.url).toBe('/api/v1/namespaces/web/pods/p/log?container=c&follow=true');
  });
});
