// Unit: the fake's patch engines and field ownership, on their own; and the patch metadata
// table is exactly what scripts/generate-patch-meta.ts makes of openapi/v3.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPatchMeta, renderPatchMeta } from '../../scripts/generate-patch-meta.js';
import { leavesOf } from '../../src/testing/field-sets.js';
import { serverSideApply } from '../../src/testing/managed-fields.js';
import { type Json, jsonPatch, mergePatch, strategicMergePatch } from '../../src/testing/patches.js';
import { StatusFailure } from '../../src/testing/status.js';

const root = join(import.meta.dirname, '../..');
const POD_SPEC = 'io.k8s.api.core.v1.PodSpec';

describe('patch metadata', () => {
  it('src/testing/patch-meta.ts is reproduced byte for byte from openapi/v3', () => {
    expect(renderPatchMeta(buildPatchMeta(join(root, 'openapi/v3')))).toBe(readFileSync(join(root, 'src/testing/patch-meta.ts'), 'utf8'));
  });
});

describe('patches', () => {
  it('merge patch (RFC 7386): nested merge, null deletes, arrays replace', () => {
    expect(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: null }, d: null, f: 'x' })).toEqual({ a: { b: 1, c: [3] }, f: 'x' });
  });

  it('JSON patch: add/remove/replace/move/copy/test, escaped pointers, and 422 on a bad path', () => {
    const doc: Json = { metadata: { labels: { 'a/b': '1' } }, list: [1, 2] };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/list/-', value: 3 }, { op: 'copy', from: '/list/0', path: '/first' }, { op: 'move', from: '/first', path: '/moved' },
      { op: 'replace', path: '/metadata/labels/a~1b', value: '2' }, { op: 'test', path: '/moved', value: 1 }, { op: 'remove', path: '/list/1' },
    ]);
    expect(out).toEqual({ metadata: { labels: { 'a/b': '2' } }, list: [1, 3], moved: 1 });
    expect(doc).toEqual({ metadata: { labels: { 'a/b': '1' } }, list: [1, 2] });
    for (const ops of [[{ op: 'remove', path: '/nope' }], [{ op: 'replace', path: '/list/9', value: 1 }], [{ op: 'test', path: '/list/0', value: 9 }]]) {
      expect(() => jsonPatch(doc, ops)).toThrow(StatusFailure);
    }
  });

  it('strategic merge patch: keyed lists, $patch replace/delete, $retainKeys, $setElementOrder, $deleteFromPrimitiveList', () => {
    const spec: Json = { containers: [{ name: 'a', image: '1', args: ['x'] }, { name: 'b', image: '1' }], volumes: [{ name: 'v', emptyDir: {} }], nodeSelector: { zone: 'a' } };
    expect(strategicMergePatch(spec, { containers: [{ name: 'b', image: '2' }, { name: 'c', image: '3' }] }, POD_SPEC)).toMatchObject({
      containers: [{ name: 'a', image: '1', args: ['x'] }, { name: 'b', image: '2' }, { name: 'c', image: '3' }],
    });
    expect(strategicMergePatch(spec, { containers: [{ name: 'a', $patch: 'delete' }] }, POD_SPEC)).toMatchObject({ containers: [{ name: 'b', image: '1' }] });
    expect(strategicMergePatch(spec, { containers: [{ name: 'z', image: '9' }, { $patch: 'replace' }] }, POD_SPEC)).toMatchObject({ containers: [{ name: 'z', image: '9' }] });
    expect(strategicMergePatch(spec, { nodeSelector: { $patch: 'replace', disk: 'ssd' } }, POD_SPEC)).toMatchObject({ nodeSelector: { disk: 'ssd' } });
    expect(strategicMergePatch(spec, { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: '5' }] }, POD_SPEC)).toMatchObject({
      containers: [{ name: 'b', image: '1' }, { name: 'a', image: '5', args: ['x'] }],
    });
    expect(strategicMergePatch({ finalizers: ['a', 'b'] }, { '$deleteFromPrimitiveList/finalizers': ['a'] }, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')).toEqual({ finalizers: ['b'] });
    expect(strategicMergePatch({ rollingUpdate: { maxSurge: 1 }, type: 'RollingUpdate' }, { $retainKeys: ['type'], type: 'Recreate' }, 'io.k8s.api.apps.v1.DeploymentStrategy')).toEqual({ type: 'Recreate' });
  });
});

describe('field ownership', () => {
  it('paths name keyed list items as the server prints them', () => {
    const leaves = leavesOf({ spec: { containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } }, 'io.k8s.api.core.v1.Pod');
    expect([...leaves.keys()]).toEqual([
      '.spec.containers[name="app"].name', '.spec.containers[name="app"].image',
      '.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"].containerPort', '.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"].protocol',
    ]);
  });

  it('apply conflicts on a container image owned by another manager; force moves ownership', () => {
    const def = 'io.k8s.api.core.v1.Pod';
    const first = serverSideApply({ entries: [], manager: 'a', apiVersion: 'v1', time: 't', subresource: '', live: { metadata: { name: 'p' } }, applied: { spec: { containers: [{ name: 'app', image: '1' }] } }, def, force: false });
    const input = { entries: first.entries, manager: 'b', apiVersion: 'v1', time: 't', subresource: '', live: first.object, applied: { spec: { containers: [{ name: 'app', image: '2' }] } }, def };
    let failure: StatusFailure | undefined;
    try {
      serverSideApply({ ...input, force: false });
    } catch (e) {
      failure = e as StatusFailure;
    }
    expect(failure?.status.message).toBe('Apply failed with 1 conflict: conflict with "a" using v1: .spec.containers[name="app"].image');
    const forced = serverSideApply({ ...input, force: true });
    expect(forced.object).toMatchObject({ spec: { containers: [{ name: 'app', image: '2' }] } });
    expect(forced.entries.find((e) => e.manager === 'a')!.fields.has('.spec.containers[name="app"].image')).toBe(false);
  });
});
