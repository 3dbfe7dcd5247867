// Integration (real API server): what the path and Accept checks of issue 12 look like on a
// real server. Names outside the plain path alphabet reach it percent-encoded and intact
// (kubectl sees the same object); a metadata-only watch asks for PartialObjectMetadata
// through the watch's `accept` option; a hostile CRD spec never reaches the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchStream } from '../../src/client/watch.js';
import { NotFoundError, UsageError } from '../../src/core/errors.js';
import { resourcePath } from '../../src/core/paths.js';
import { resources } from '../../generated/resources.js';
import type { Kube } from '../../src/kube.js';
import { adminKube, kubectl, uid } from './cluster.js';

let kube: Kube;
let ns: string;
const role = `${uid('kubefluent')}:reader@team`;

beforeAll(async () => {
  kube = await adminKube();
  ns = uid('paths');
  await kube.namespaces.create({ metadata: { name: ns } });
});
afterAll(async () => {
  await kube.clusterroles.delete(role).catch(() => undefined);
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.close();
});

describe('paths on the real API server', () => {
  it("a ClusterRole named with ':' and '@' round-trips; kubectl sees the same object", async () => {
    await kube.clusterroles.create({ metadata: { name: role }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    expect((await kube.clusterroles.get(role)).metadata?.name).toBe(role);
    expect(kubectl(['get', 'clusterrole', role, '-o', 'jsonpath={.metadata.name}'])).toBe(role);
    await kube.clusterroles.delete(role);
    expect(await kube.clusterroles.getOrUndefined(role)).toBeUndefined();
  });

  it('a non-ASCII name is sent percent-encoded: the server reads it back as the same name (and reports it missing)', async () => {
    const e = await kube.configmaps.namespace(ns).get('ä-x').then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).status.details?.name).toBe('ä-x');
  });

  it('a metadata-only watch gets PartialObjectMetadata events through the accept option', async () => {
    const ac = new AbortController();
    const path = resourcePath(resources['v1/configmaps'], { namespace: ns });
    const events = watchStream<{ kind?: string; metadata?: { name?: string } }>(kube.transport, path, {
      signal: ac.signal, accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
    });
    const created = kube.configmaps.namespace(ns).create({ metadata: { name: 'meta-only' }, data: { secretish: 'x' } });
    let seen: { kind?: string; metadata?: { name?: string } } | undefined;
    for await (const e of events) {
      if (e.type === 'ADDED' && e.object.metadata?.name === 'meta-only') {
        seen = e.object;
        break;
      }
    }
    await created;
    ac.abort();
    expect(seen?.kind).toBe('PartialObjectMetadata');
    expect(seen).not.toHaveProperty('data');
  });

  it('a custom resource spec with a traversal never reaches the server', async () => {
    const evil = kube.customResource({ group: 'evil.example', version: 'v1/../../../api/v1', plural: 'secrets', kind: 'Secret', namespaced: true });
    await expect(evil.namespace(ns).get('x')).rejects.toBeInstanceOf(UsageError);
  });
});
