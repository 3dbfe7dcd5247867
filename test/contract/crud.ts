/** Contract: create/read/update/delete, server-owned metadata, conflicts, errors, selectors, pagination. */
import { expect, it } from 'vitest';
import type { ConfigMap } from '../../generated/models.js';
import { AlreadyExistsError, BadRequestError, ConflictError, InvalidError, NotFoundError } from '../../src/core/errors.js';
import { mergePatch } from '../../src/core/patch.js';
import { deployment, type SuiteContext } from './suite.js';

export function crudAndConflicts(ctx: SuiteContext): void {
  const cms = () => ctx.kube.configmaps.namespace(ctx.ns);

  it('create stamps uid, creationTimestamp and resourceVersion; every write moves resourceVersion', async () => {
    const made = await cms().create({ metadata: { name: 'crud', labels: { a: 'b' } }, data: { k: 'v' } });
    const m = made.metadata!;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.namespace).toBe(ctx.ns);
    expect(m.generation).toBeUndefined();
    expect(m.managedFields![0]).toMatchObject({ manager: 'contract', operation: 'Update', fieldsType: 'FieldsV1' });
    const got = await cms().get('crud');
    expect(got).toEqual(made);
    const replaced = await cms().replace({ ...got, data: { k: 'w' } });
    expect(Number(replaced.metadata!.resourceVersion)).toBeGreaterThan(Number(m.resourceVersion));
    expect(replaced.metadata!.uid).toBe(m.uid);
    expect(replaced.metadata!.creationTimestamp).toBe(m.creationTimestamp);
    const listed = await cms().list();
    expect(listed.items.map((i) => i.metadata!.name)).toContain('crud');
    expect(Number(listed.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(replaced.metadata!.resourceVersion));
    expect(await cms().delete('crud')).toBeUndefined();
    const err = await cms().get('crud').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).status).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "crud" not found', reason: 'NotFound', details: { name: 'crud', kind: 'configmaps' }, code: 404 });
  });

  it('generation counts spec changes only', async () => {
    const deps = ctx.kube.deployments.namespace(ctx.ns);
    const d = await deps.create(deployment('gen'));
    expect(d.metadata!.generation).toBe(1);
    const relabelled = await deps.patch('gen', mergePatch({ metadata: { labels: { extra: 'x' } } }));
    expect(relabelled.metadata!.generation).toBe(1);
    const respecced = await deps.patch('gen', mergePatch({ spec: { replicas: 3 } }));
    expect(respecced.metadata!.generation).toBe(2);
    const err = await deps.get('nope').catch((e: unknown) => e);
    expect((err as NotFoundError).status.message).toBe('deployments.apps "nope" not found');
    expect((err as NotFoundError).status.details).toEqual({ name: 'nope', group: 'apps', kind: 'deployments' });
  });

  it('generateName picks a fresh name with the prefix', async () => {
    const a = await cms().create({ metadata: { generateName: 'gen-' } });
    const b = await cms().create({ metadata: { generateName: 'gen-' } });
    expect(a.metadata!.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(b.metadata!.name).not.toBe(a.metadata!.name);
  });

  it('a stale resourceVersion is a 409 Conflict; a duplicate create is 409 AlreadyExists', async () => {
    const v1 = await cms().create({ metadata: { name: 'occ' }, data: { n: '1' } });
    await cms().replace({ ...v1, data: { n: '2' } });
    const err = await cms().replace({ ...v1, data: { n: '3' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409, details: { name: 'occ', kind: 'configmaps' },
      message: 'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
    });
    const stalePatch = await cms().patch('occ', mergePatch<ConfigMap>({ metadata: { resourceVersion: v1.metadata!.resourceVersion! }, data: { n: '4' } })).catch((e: unknown) => e);
    expect(stalePatch).toBeInstanceOf(ConflictError);
    expect((await cms().get('occ')).data).toEqual({ n: '2' });
    const dup = await cms().create({ metadata: { name: 'occ' } }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(AlreadyExistsError);
    expect((dup as AlreadyExistsError).status.message).toBe('configmaps "occ" already exists');
  });

  it('invalid names are 422 with a cause naming metadata.name; a missing namespace is 404', async () => {
    const err = await cms().create({ metadata: { name: 'Bad_Name' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).causes.map((c) => [c.reason, c.field])).toEqual([['FieldValueInvalid', 'metadata.name']]);
    const none = await cms().create({ metadata: {} }).catch((e: unknown) => e);
    expect((none as InvalidError).status.message).toBe('ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
    const noNs = await ctx.kube.configmaps.namespace('no-such-namespace-xyz').create({ metadata: { name: 'x' } }).catch((e: unknown) => e);
    expect(noNs).toBeInstanceOf(NotFoundError);
    expect((noNs as NotFoundError).status.message).toBe('namespaces "no-such-namespace-xyz" not found');
  });

  it('label and field selectors filter lists; an unknown field selector is a 400', async () => {
    const mk = (name: string, labels: Record<string, string>) => cms().create({ metadata: { name, labels } });
    await mk('sel-a', { tier: 'web', env: 'prod' });
    await mk('sel-b', { tier: 'db', env: 'prod' });
    await mk('sel-c', { tier: 'web' });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await cms().list({ ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) })).items.map((i) => i.metadata!.name).filter((n) => n!.startsWith('sel-'));
    expect(await names('tier=web')).toEqual(['sel-a', 'sel-c']);
    expect(await names('tier!=web,env')).toEqual(['sel-b']);
    expect(await names('tier in (db,web),!env')).toEqual(['sel-c']);
    expect(await names('env notin (prod)')).toEqual(['sel-c']);
    expect(await names(undefined, 'metadata.name=sel-b')).toEqual(['sel-b']);
    expect(await names('tier=web', 'metadata.name!=sel-a')).toEqual(['sel-c']);
    const err = await cms().list({ fieldSelector: 'data.k=v' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).status.message).toBe('"data.k" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });

  it('pagination: limit and continue walk every item once, in name order', async () => {
    for (let i = 0; i < 5; i++) await cms().create({ metadata: { name: `page-${i}`, labels: { paged: 'yes' } } });
    const first = await cms().list({ labelSelector: 'paged=yes', limit: 2 });
    expect(first.items.map((i) => i.metadata!.name)).toEqual(['page-0', 'page-1']);
    expect(first.metadata!.continue).toBeTruthy();
    // With a selector the server does not count what remains.
    expect(first.metadata!.remainingItemCount).toBeUndefined();
    const all: string[] = [];
    for await (const page of cms().pages({ labelSelector: 'paged=yes', limit: 2 })) all.push(...page.items.map((i) => i.metadata!.name!));
    expect(all).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    const last = await cms().list({ labelSelector: 'paged=yes', limit: 10 });
    expect(last.metadata!.continue).toBeUndefined();
  });
}
