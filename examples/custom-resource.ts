/**
 * Work with your own resource type: install a CustomResourceDefinition, wait until it is
 * served, then create, list and update custom objects through a handle typed by a zod schema
 * (writes are checked against it before they are sent).
 *
 *   npx tsx examples/custom-resource.ts [--kubeconfig F] [--namespace NS] [--keep-crd]
 *
 * Deletes its objects, and the CRD unless --keep-crd.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { deleted, hasCondition, Kube, ValidationError } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, 'keep-crd': { type: 'boolean', default: false } } });

const Backup = z.object({
  apiVersion: z.literal('examples.kubefluent.dev/v1'),
  kind: z.literal('Backup'),
  metadata: z.object({ name: z.string(), namespace: z.string().optional() }).passthrough(),
  spec: z.object({ database: z.string(), schedule: z.string(), keep: z.number().int().min(1) }),
});

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const crdName = 'backups.examples.kubefluent.dev';
  await kube.customresourcedefinitions.apply({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crdName },
    spec: {
      group: 'examples.kubefluent.dev', scope: 'Namespaced',
      names: { kind: 'Backup', plural: 'backups', singular: 'backup', listKind: 'BackupList' },
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { database: { type: 'string' }, schedule: { type: 'string' }, keep: { type: 'integer', minimum: 1 } } } } } },
      }],
    },
  }, { fieldManager: 'example-custom-resource' });
  await kube.customresourcedefinitions.waitFor(crdName, hasCondition('Established'), { timeoutMs: 60_000 });
  console.log(`crd ${crdName} established`);

  const backups = kube.customResource({ group: 'examples.kubefluent.dev', version: 'v1', plural: 'backups', kind: 'Backup', namespaced: true, schema: Backup }).namespace(ns);
  try {
    await backups.apply({ apiVersion: 'examples.kubefluent.dev/v1', kind: 'Backup', metadata: { name: 'orders', namespace: ns }, spec: { database: 'orders', schedule: '0 3 * * *', keep: 7 } }, { fieldManager: 'example-custom-resource' });
    const bad = await backups.apply({ apiVersion: 'examples.kubefluent.dev/v1', kind: 'Backup', metadata: { name: 'bad', namespace: ns }, spec: { database: 'x', schedule: '@daily', keep: 0 } }, { fieldManager: 'example-custom-resource' }).catch((e: unknown) => e);
    if (bad instanceof ValidationError) console.log(`rejected before sending: ${bad.issues.map((i) => i.path).join(', ')}`);
    else throw new Error('expected a ValidationError for keep: 0');
    const updated = await backups.patch('orders', { spec: { keep: 14 } });
    console.log(`backup ${updated.metadata.name}: ${updated.spec.database} at "${updated.spec.schedule}", keep ${updated.spec.keep}`);
    console.log(`backups: ${(await backups.list()).items.map((b) => b.metadata.name).join(', ')}`);
  } finally {
    await backups.delete('orders').catch(() => undefined);
    if (!args['keep-crd']) {
      // The API server removes a CRD only after its custom objects are gone: wait for that.
      await kube.customresourcedefinitions.delete(crdName);
      await kube.customresourcedefinitions.waitFor(crdName, deleted, { timeoutMs: 60_000 });
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
