/**
 * Deploy a directory of manifests, wait for every workload to roll out, and roll back if one
 * does not: Deployments to their previous revision, objects this run created deleted.
 *
 *   npx tsx examples/apply-dir.ts [--kubeconfig F] [--namespace NS] --dir examples/manifests/shop-v1 [--timeout SECONDS]
 *
 * Every document is validated and dry-run on the server before anything is written. Exit code 1
 * after a rollback. Objects other than Deployments that existed keep what this run applied.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kube, type ManifestResult } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, dir: { type: 'string' }, timeout: { type: 'string', default: '120' } },
});
const FIELD_MANAGER = 'example-apply-dir';

async function main(): Promise<void> {
  if (!args.dir) throw new Error('--dir DIR is required');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const files = readdirSync(args.dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const input = files.map((f) => readFileSync(join(args.dir!, f), 'utf8')).join('\n---\n');

  // What exists now decides how to undo: a Deployment that existed goes back a revision, a new object is deleted.
  const existed = new Set<string>();
  const results = await kube.applyManifests(input, {
    fieldManager: FIELD_MANAGER,
    namespace: ns,
    dryRun: true,
  });
  for (const r of results) {
    const handle = kube.resource(await kube.discovery.find({ apiVersion: r.apiVersion, kind: r.kind }));
    const live = await (r.namespace ? handle.namespace(r.namespace) : handle).getOrUndefined(r.name);
    if (live) existed.add(`${r.kind}/${r.name}`);
  }

  const applied: ManifestResult[] = await kube.applyManifests(input, {
    fieldManager: FIELD_MANAGER,
    namespace: ns,
    onResult: (r) => console.log(`${r.action} ${r.kind}/${r.name}`),
  });
  const deployments = applied.filter((r) => r.kind === 'Deployment');
  try {
    for (const d of deployments) {
      await kube.rollout.status({ kind: 'Deployment', name: d.name, namespace: ns }, { timeoutMs: Number(args.timeout) * 1000 });
      console.log(`rolled out Deployment/${d.name}`);
    }
  } catch (err) {
    console.log(`rollout failed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
    for (const r of [...applied].reverse()) {
      const key = `${r.kind}/${r.name}`;
      if (r.kind === 'Deployment' && existed.has(key)) {
        await kube.rollout.undo({ kind: 'Deployment', name: r.name, namespace: ns });
        console.log(`rolled back ${key} to its previous revision`);
      } else if (!existed.has(key)) {
        await kube.deleteManifests([r.object], { namespace: ns });
        console.log(`deleted ${key} (created by this run)`);
      }
    }
    throw new Error(`deploy of ${args.dir} failed and was rolled back`);
  }
  console.log(`deployed ${args.dir}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
