// The indexed store: keys, indexes kept in step with every change (property test), built-in indexers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { byLabel, byNamespace, byOwner, byOwnerUid, indexers } from '../../src/runtime/indexers.js';
import { objectKey } from '../../src/runtime/object-meta.js';
import { Store } from '../../src/runtime/store.js';
import type { FakeObject } from '../support/fake-api.js';

const obj = (name: string, namespace: string | undefined, labels: Record<string, string> = {}, owners: string[] = []): FakeObject => ({
  metadata: {
    name, ...(namespace ? { namespace } : {}), labels,
    ownerReferences: owners.map((o) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o, uid: `uid-${o}` })),
  },
});

describe('store', () => {
  it('keys objects by namespace/name (name alone when cluster-scoped)', () => {
    expect(objectKey(obj('a', 'ns'))).toBe('ns/a');
    expect(objectKey(obj('node-1', undefined))).toBe('node-1');
    const s = new Store<FakeObject>();
    s.set('ns/a', obj('a', 'ns'));
    expect(s.getByName('a', 'ns')?.metadata.name).toBe('a');
    expect(s.get('ns/a')).toBe(s.getByName('a', 'ns'));
    expect(s.size).toBe(1);
    expect(s.delete('ns/a')).toBe(true);
    expect(s.delete('ns/a')).toBe(false);
  });

  it('has namespace, label, owner and custom indexes', () => {
    const s = new Store<FakeObject>({
      namespace: indexers.namespace,
      app: byLabel('app'),
      owner: byOwner,
      ownerUid: byOwnerUid,
      initial: (o) => [o.metadata.name.slice(0, 1)],
    });
    s.set('a/x1', obj('x1', 'a', { app: 'web' }, ['rs1']));
    s.set('a/y1', obj('y1', 'a', { app: 'db' }, ['rs1', 'rs2']));
    s.set('b/x2', obj('x2', 'b', {}));
    expect(s.byIndex('namespace', 'a').map((o) => o.metadata.name).sort()).toEqual(['x1', 'y1']);
    expect(s.byIndex('app', 'web').map((o) => o.metadata.name)).toEqual(['x1']);
    expect(s.indexValues('app').sort()).toEqual(['db', 'web']);
    expect(s.byIndex('owner', 'ReplicaSet/rs1')).toHaveLength(2);
    expect(s.indexKeys('ownerUid', 'uid-rs2')).toEqual(['a/y1']);
    expect(s.byIndex('initial', 'x')).toHaveLength(2);
    // A label change moves the object between index values.
    s.set('a/x1', obj('x1', 'a', { app: 'db' }));
    expect(s.byIndex('app', 'web')).toEqual([]);
    expect(s.indexValues('app')).toEqual(['db']);
    expect(s.byIndex('owner', 'ReplicaSet/rs1').map((o) => o.metadata.name)).toEqual(['y1']);
    s.delete('a/y1');
    expect(s.indexValues('owner')).toEqual([]);
    expect(() => s.byIndex('nope', 'x')).toThrow(UsageError);
    expect(() => s.addIndexer('app', byNamespace)).toThrow(UsageError);
  });

  it('builds a late index from what it holds, and survives an index function that throws', () => {
    const problems: string[] = [];
    const s = new Store<FakeObject>({}, (index) => problems.push(index));
    s.set('a/x', obj('x', 'a', { app: 'web' }));
    s.addIndexer('app', byLabel('app'));
    expect(s.byIndex('app', 'web')).toHaveLength(1);
    s.addIndexer('bad', (o) => {
      if (o.metadata.name === 'boom') throw new Error('boom');
      return ['ok'];
    });
    s.set('a/boom', obj('boom', 'a'));
    expect(s.get('a/boom')).toBeDefined();
    expect(problems).toEqual(['bad']);
    expect(s.byIndex('bad', 'ok')).toHaveLength(1);
  });

  it('keeps every index equal to a scan of its objects after any sequence of changes (property)', () => {
    const op = fc.record({
      del: fc.boolean(),
      name: fc.constantFrom('a', 'b', 'c', 'd'),
      ns: fc.constantFrom('n1', 'n2'),
      app: fc.option(fc.constantFrom('web', 'db'), { nil: undefined }),
      owners: fc.subarray(['r1', 'r2', 'r3']),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const s = new Store<FakeObject>({ namespace: byNamespace, app: byLabel('app'), owner: byOwner });
      for (const o of ops) {
        const key = `${o.ns}/${o.name}`;
        if (o.del) s.delete(key);
        else s.set(key, obj(o.name, o.ns, o.app ? { app: o.app } : {}, o.owners));
      }
      const all = s.list();
      for (const [index, fn] of [['namespace', byNamespace], ['app', byLabel('app')], ['owner', byOwner]] as const) {
        const expected = new Map<string, string[]>();
        for (const o of all) for (const v of fn(o)) expected.set(v, [...(expected.get(v) ?? []), objectKey(o)]);
        expect(new Set(s.indexValues(index))).toEqual(new Set(expected.keys()));
        for (const [v, keys] of expected) expect(s.indexKeys(index, v).sort()).toEqual(keys.sort());
      }
    }), { numRuns: 200 });
  });
});
