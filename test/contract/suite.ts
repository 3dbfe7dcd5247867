/**
 * The one contract suite: the same tests, run against the in-memory fake
 * (test/contract/fake.test.ts, unit project) and the real local control plane
 * (test/contract/cluster.int.test.ts, integration project). A behaviour the fake gets wrong
 * fails here; a behaviour it does not have is listed in the README ("what the fake does not do").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, CustomResourceDefinition, Deployment } from '../../generated/models.js';
import type { Kube } from '../../src/kube.js';
import { AlreadyExistsError, BadRequestError, ConflictError, InvalidError, NotFoundError, UnsupportedMediaTypeError } from '../../src/core/errors.js';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../src/core/patch.js';
import { eventually, type ContractTarget } from './target.js';
import { crudAndConflicts } from './crud.js';
import { watchesAndInformers } from './watch.js';

export interface SuiteContext {
  kube: Kube;
  ns: string;
  target: ContractTarget;
}

export function deployment(name: string, replicas = 1, labels: Record<string, string> = { app: name }): Deployment {
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 'busybox:1' }] } },
    },
  };
}

interface Widget {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; generation?: number; resourceVersion?: string };
  spec?: { replicas?: number; size?: string };
  status?: { ready?: boolean; replicas?: number };
}

function widgetCrd(): CustomResourceDefinition {
  return {
    metadata: { name: 'widgets.contract.kubefluent.dev' },
    spec: {
      group: 'contract.kubefluent.dev',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', properties: { replicas: { type: 'integer' }, size: { type: 'string' } } },
          status: { type: 'object', properties: { ready: { type: 'boolean' }, replicas: { type: 'integer' } } },
        } } },
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      }],
    },
  };
}

export function contractSuite(target: ContractTarget): void {
  const ctx = {} as SuiteContext;
  ctx.target = target;

  beforeAll(async () => {
    ctx.kube = await target.kube();
    const ns = await ctx.kube.namespaces.create({ metadata: { generateName: 'contract-' } });
    ctx.ns = ns.metadata!.name!;
  });

  afterAll(async () => {
    await ctx.kube.namespaces.delete(ctx.ns).catch(() => undefined);
    await ctx.kube.close();
  });

  describe(`contract (${target.name})`, () => {
    crudAndConflicts(ctx);
    patchesAndApply(ctx);
    lifecycle(ctx);
    watchesAndInformers(ctx);
  });
}

function patchesAndApply(ctx: SuiteContext): void {
  const cms = () => ctx.kube.configmaps.namespace(ctx.ns);
  const deps = () => ctx.kube.deployments.namespace(ctx.ns);

  it('merge patch: objects merge, null deletes, lists replace', async () => {
    await cms().create({ metadata: { name: 'mp' }, data: { a: '1', b: '2' } });
    const out = await cms().patch('mp', mergePatch<ConfigMap>({ data: { a: null, c: '3' }, metadata: { labels: { x: 'y' } } }));
    expect(out.data).toEqual({ b: '2', c: '3' });
    expect(out.metadata?.labels).toEqual({ x: 'y' });
  });

  it('JSON patch: ops apply in order; a failed test op is 422 and changes nothing', async () => {
    const before = await cms().create({ metadata: { name: 'jp' }, data: { a: '1' } });
    const out = await cms().patch('jp', jsonPatch([{ op: 'add', path: '/data/b', value: '2' }, { op: 'replace', path: '/data/a', value: 'x' }, { op: 'remove', path: '/data/b' }]));
    expect(out.data).toEqual({ a: 'x' });
    const err = await cms().patch('jp', jsonPatch([{ op: 'replace', path: '/data/a', value: 'y' }, { op: 'test', path: '/data/a', value: 'nope' }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((await cms().get('jp')).data).toEqual({ a: 'x' });
    expect(Number(out.metadata!.resourceVersion)).toBeGreaterThan(Number(before.metadata!.resourceVersion));
  });

  it('strategic merge patch merges containers by name and honours $patch: delete', async () => {
    await deps().create(deployment('smp'));
    const out = await deps().patch('smp', strategicMergePatch<Deployment>({
      spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }, { name: 'side', $patch: 'delete' } as never, { name: 'new', image: 'redis:7' }] } } },
    }));
    const containers = out.spec!.template.spec!.containers;
    expect(containers.map((c) => [c.name, c.image])).toEqual([['app', 'nginx:2'], ['new', 'redis:7']]);
    // The merged container kept what the patch did not mention.
    expect(containers[0]!.env).toEqual([{ name: 'A', value: '1' }]);
    expect(out.metadata!.generation).toBe(2);
  });

  it('server-side apply: creates, owns fields, reports conflicts with manager and field, force takes over', async () => {
    const first = await cms().apply({ metadata: { name: 'ssa' }, data: { a: '1', b: '2' } }, { fieldManager: 'alice' });
    expect(first.data).toEqual({ a: '1', b: '2' });
    expect(first.metadata!.managedFields!.map((m) => [m.manager, m.operation])).toEqual([['alice', 'Apply']]);
    const err = await cms().apply({ metadata: { name: 'ssa' }, data: { a: 'changed' } }, { fieldManager: 'bob' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    const c = err as ConflictError;
    expect(c.fields).toEqual(['.data.a']);
    expect(c.message).toContain('conflict with "alice"');
    expect(c.causes[0]!.reason).toBe('FieldManagerConflict');
    // Agreeing on a value is shared ownership, not a conflict.
    const shared = await cms().apply({ metadata: { name: 'ssa' }, data: { b: '2' } }, { fieldManager: 'bob' });
    expect(shared.data).toEqual({ a: '1', b: '2' });
    const forced = await cms().apply({ metadata: { name: 'ssa' }, data: { a: 'bob', b: '2' } }, { fieldManager: 'bob', force: true });
    expect(forced.data).toEqual({ a: 'bob', b: '2' });
    // alice stops applying b, which bob still owns: it stays; a is bob's alone now: it stays too.
    const again = await cms().apply({ metadata: { name: 'ssa' }, data: {} }, { fieldManager: 'alice' });
    expect(again.data).toEqual({ a: 'bob', b: '2' });
    // bob stops applying b: nobody owns it, it goes.
    const dropped = await cms().apply({ metadata: { name: 'ssa' }, data: { a: 'bob' } }, { fieldManager: 'bob' });
    expect(dropped.data).toEqual({ a: 'bob' });
  });

  it('an update takes ownership of the fields it changes; a later apply of them conflicts', async () => {
    await cms().apply({ metadata: { name: 'ssa2' }, data: { k: 'v' } }, { fieldManager: 'applier' });
    await cms().patch('ssa2', mergePatch<ConfigMap>({ data: { k: 'edited' } }), { fieldManager: 'editor' });
    const err = await cms().apply({ metadata: { name: 'ssa2' }, data: { k: 'v2' } }, { fieldManager: 'applier' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toContain('conflict with "editor"');
  });

  it('dry-run writes answer as if done and change nothing', async () => {
    const dry = await cms().create({ metadata: { name: 'dry' }, data: { a: '1' } }, { dryRun: true });
    expect(dry.data).toEqual({ a: '1' });
    await expect(cms().get('dry')).rejects.toBeInstanceOf(NotFoundError);
    await cms().create({ metadata: { name: 'dry2' }, data: { a: '1' } });
    await cms().patch('dry2', mergePatch<ConfigMap>({ data: { a: '2' } }), { dryRun: true });
    await cms().delete('dry2', { dryRun: true });
    expect((await cms().get('dry2')).data).toEqual({ a: '1' });
  });

  it('strict field validation: unknown fields are a 400 naming each one', async () => {
    const err = await cms().create({ metadata: { name: 'strict', bogus: 1 } as never, data: { a: '1' }, extra: true } as never, { fieldValidation: 'Strict', validate: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain('strict decoding error: unknown field "metadata.bogus", unknown field "extra"');
    await expect(cms().get('strict')).rejects.toBeInstanceOf(NotFoundError);
  });
}

function lifecycle(ctx: SuiteContext): void {
  const cms = () => ctx.kube.configmaps.namespace(ctx.ns);

  it('finalizers: delete marks the object and keeps it until the last finalizer goes', async () => {
    await cms().create({ metadata: { name: 'fin', finalizers: ['example.com/hold'] }, data: { a: '1' } });
    const marked = await cms().delete('fin');
    expect(marked?.metadata?.deletionTimestamp).toBeDefined();
    const held = await cms().get('fin');
    expect(held.metadata!.deletionTimestamp).toBeDefined();
    expect(held.metadata!.finalizers).toEqual(['example.com/hold']);
    await cms().patch('fin', mergePatch<ConfigMap>({ metadata: { finalizers: null } }));
    await expect(cms().get('fin')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('garbage collection: dependents of a deleted owner go (background), orphan keeps them', async () => {
    const owner = await cms().create({ metadata: { name: 'owner' } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    await cms().create({ metadata: { name: 'dependent', ownerReferences: [ref] } });
    await cms().delete('owner');
    await eventually(async () => (await cms().getOrUndefined('dependent')) === undefined, ctx.target.settleMs, 'the dependent to be collected');
    const owner2 = await cms().create({ metadata: { name: 'owner2' } });
    await cms().create({ metadata: { name: 'orphan', ownerReferences: [{ ...ref, name: 'owner2', uid: owner2.metadata!.uid! }] } });
    await cms().delete('owner2', { propagationPolicy: 'Orphan' });
    await eventually(async () => (await cms().getOrUndefined('owner2')) === undefined, ctx.target.settleMs, 'the owner to go');
    await eventually(async () => (await cms().get('orphan')).metadata!.ownerReferences === undefined, ctx.target.settleMs, 'the orphan to lose its owner reference');
  });

  it('scale subresource: reads and writes spec.replicas', async () => {
    const deps = ctx.kube.deployments.namespace(ctx.ns);
    await deps.create(deployment('sub', 2));
    const scale = await deps.getScale('sub');
    expect(scale.spec!.replicas).toBe(2);
    expect(scale.status!.selector).toBe('app=sub');
    const scaled = await deps.scale('sub', 4);
    expect(scaled.spec!.replicas).toBe(4);
    const after = await deps.get('sub');
    expect(after.spec!.replicas).toBe(4);
    expect(after.metadata!.generation).toBe(2);
  });

  it('custom resources: a CRD makes them served; status writes leave spec alone and spec writes leave status alone', async () => {
    await ctx.kube.customresourcedefinitions.create(widgetCrd()).catch((e: unknown) => {
      if (!(e instanceof AlreadyExistsError)) throw e;
    });
    const spec = { group: 'contract.kubefluent.dev', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true, subresources: ['status', 'scale'] } as const;
    const widgets = ctx.kube.customResource<Widget, typeof spec>(spec).namespace(ctx.ns);
    await eventually(async () => widgets.list().then(() => true, () => false), ctx.target.settleMs, 'the CRD to be served');
    const made = await widgets.create({ metadata: { name: 'w' }, spec: { replicas: 1, size: 'small' }, status: { ready: true } });
    expect(made.metadata!.generation).toBe(1);
    expect(made.status).toBeUndefined();
    const withStatus = await widgets.patchStatus('w', mergePatch<Widget>({ status: { ready: true }, spec: { size: 'huge' } }));
    expect(withStatus.status).toEqual({ ready: true });
    expect(withStatus.spec!.size).toBe('small');
    expect(withStatus.metadata!.generation).toBe(1);
    const current = await widgets.get('w');
    const replaced = await widgets.replace({ ...current, spec: { replicas: 1, size: 'large' }, status: { ready: false } });
    expect(replaced.spec!.size).toBe('large');
    expect(replaced.status).toEqual({ ready: true });
    expect(replaced.metadata!.generation).toBe(2);
    const applied = await widgets.applyStatus({ apiVersion: 'contract.kubefluent.dev/v1', kind: 'Widget', metadata: { name: 'w' }, status: { ready: false } }, { fieldManager: 'status-writer', force: true });
    expect(applied.status).toEqual({ ready: false });
    expect(applied.spec!.size).toBe('large');
    const missing = await widgets.applyStatus({ apiVersion: 'contract.kubefluent.dev/v1', kind: 'Widget', metadata: { name: 'none' }, status: { ready: true } }, { fieldManager: 'status-writer' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    const scaled = await widgets.scale('w', 3);
    expect(scaled.spec!.replicas).toBe(3);
    expect((await widgets.get('w')).spec!.replicas).toBe(3);
    const smp = await widgets.patch('w', strategicMergePatch<Widget>({ spec: { size: 'x' } })).catch((e: unknown) => e);
    expect(smp).toBeInstanceOf(UnsupportedMediaTypeError);
  });
}

