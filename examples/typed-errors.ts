/**
 * Handle the API's errors by type, not by parsing messages: NotFound, AlreadyExists, an
 * apply Conflict (with the fields in conflict) and Invalid (with the causes).
 *
 *   npx tsx examples/typed-errors.ts [--kubeconfig F] [--namespace NS]
 *
 * Creates a ConfigMap `typed-errors-demo`, provokes each error, and deletes it.
 */
import { parseArgs } from 'node:util';
import { AlreadyExistsError, ConflictError, InvalidError, Kube, KubeError, NotFoundError } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' } } });

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const cms = kube.configmaps.namespace(ns);
  const name = 'typed-errors-demo';
  try {
    // 404: get-or-default without try/catch, or catch the typed error.
    console.log(`getOrUndefined: ${await cms.getOrUndefined(name)}`);
    await cms.get(name).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
      console.log(`NotFoundError ${err.code}: ${err.reason}`);
    });

    await cms.create({ metadata: { name }, data: { createdBy: 'typed-errors' } });
    // 409 AlreadyExists: someone created it first.
    await cms.create({ metadata: { name }, data: { mode: 'b' } }).catch((err: unknown) => {
      if (!(err instanceof AlreadyExistsError)) throw err;
      console.log(`AlreadyExistsError ${err.code}: ${err.reason}`);
    });

    // 409 Conflict on server-side apply: another manager owns the field.
    await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { mode: 'owned-by-a' } }, { fieldManager: 'team-a' });
    await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { mode: 'wanted-by-b' } }, { fieldManager: 'team-b' }).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
      console.log(`ConflictError fields: ${err.fields.join(', ')}`);
    });

    // 422 Invalid: the server says which field and why.
    await cms.create({ metadata: { name: 'invalid-demo' }, data: { 'not a valid key!': 'x' } }).catch((err: unknown) => {
      if (!(err instanceof InvalidError)) throw err;
      console.log(`InvalidError causes: ${err.causes.map((c) => c.field).join(', ')}`);
    });
    console.log('handled every error');
  } finally {
    await cms.delete(name).catch((err: unknown) => {
      if (!(err instanceof KubeError)) throw err;
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
