/**
 * Diff desired against live, like `kubectl diff`: each document is server-side applied as a dry
 * run (so defaults and other managers' fields are what the server would really keep), then
 * compared with the live object field by field.
 *
 *   npx tsx examples/diff.ts [--kubeconfig F] [--namespace NS] -f app.yaml
 *
 * Exit code 0: no differences; 1: differences (printed); 2: an error — as kubectl diff.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kube, parseManifests, type KubeObject } from 'kubefluent';

const { values: args } = parseArgs({ options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, file: { type: 'string', short: 'f' } } });

// Fields the server changes on every write: not a difference a person wants to see.
const NOISE = new Set(['metadata.resourceVersion', 'metadata.generation', 'metadata.managedFields', 'metadata.creationTimestamp', 'metadata.uid', 'status']);

function diff(path: string, live: unknown, want: unknown, out: string[]): void {
  if (NOISE.has(path)) return;
  if (live !== null && want !== null && typeof live === 'object' && typeof want === 'object' && !Array.isArray(live) && !Array.isArray(want)) {
    const l = live as Record<string, unknown>;
    const w = want as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(l), ...Object.keys(w)])].sort()) diff(path ? `${path}.${k}` : k, l[k], w[k], out);
    return;
  }
  if (JSON.stringify(live) !== JSON.stringify(want)) out.push(`  ${path}: ${JSON.stringify(live)} → ${JSON.stringify(want)}`);
}

async function main(): Promise<void> {
  if (!args.file) throw new Error('-f FILE is required');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  let changed = 0;
  for (const { object } of parseManifests(readFileSync(args.file, 'utf8'))) {
    const info = await kube.discovery.find({ apiVersion: object.apiVersion!, kind: object.kind! });
    const handle = kube.resource(info);
    const ns = object.metadata?.namespace ?? args.namespace ?? kube.defaultNamespace;
    const client = info.namespaced ? handle.namespace(ns) : handle;
    const desired = { ...object, metadata: { ...object.metadata, ...(info.namespaced ? { namespace: ns } : {}) } } as KubeObject;
    const live = await client.getOrUndefined(object.metadata!.name!);
    const merged = await client.apply(desired, { fieldManager: 'example-diff', dryRun: true, force: true });
    const lines: string[] = [];
    diff('', live ?? {}, merged, lines);
    const what = `${object.kind}/${object.metadata?.name}`;
    if (!live) console.log(`+ ${what} (new)`);
    else if (lines.length) console.log(`~ ${what}\n${lines.join('\n')}`);
    else console.log(`= ${what}`);
    if (!live || lines.length) changed++;
  }
  console.log(`${changed} object(s) differ`);
  process.exitCode = changed ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
