/**
 * Check a manifest file without changing anything: every document validated against the
 * schema, then a server-side dry run (admission, defaults, immutable fields, quota).
 *
 *   npx tsx examples/dry-run.ts [--kubeconfig F] [--namespace NS] -f app.yaml
 *
 * Prints what would be applied, or every problem with its document and field path (exit code 1).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kube, ManifestError } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, file: { type: 'string', short: 'f' } } });

async function main(): Promise<void> {
  if (!args.file) throw new Error('-f FILE is required');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  try {
    const results = await kube.applyManifests(readFileSync(args.file, 'utf8'), {
      fieldManager: 'example-dry-run',
      dryRun: true,
      ...(args.namespace ? { namespace: args.namespace } : {}),
    });
    for (const r of results) console.log(`ok ${r.kind}/${r.name}${r.namespace ? ` in ${r.namespace}` : ''}${r.note && r.note !== 'dry run' ? ` (${r.note})` : ''}`);
    console.log(`${results.length} objects would be applied; nothing was changed`);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    for (const p of err.problems) console.log(`problem: document ${p.index} (${p.subject}) ${p.path}: ${p.message}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
