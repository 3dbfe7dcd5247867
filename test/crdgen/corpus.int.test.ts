/**
 * The generator on real-world CRDs (Gateway API, cert-manager, prometheus-operator, fetched
 * with `go mod download`), against the real local control plane and kubectl:
 * every CRD generates; the output type-checks under strict; every example manifest those
 * projects ship is accepted by the strict validator; and for each example and three mutated
 * copies (a misspelt field, a wrong type, a value outside an enum) our strict validator and
 * `kubectl apply --dry-run=server --validate=strict` agree. Every disagreement is printed;
 * the only ones allowed are the API server's CEL rules (x-kubernetes-validations), which the
 * validators document and leave to the server.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Crd, JsonSchema } from '../../src/crdgen/crd.js';
import { crdsFromPaths } from '../../src/crdgen/input.js';
import { generateCrds, type GenerateCrdsResult } from '../../src/crdgen/generate.js';
import { adminKubeconfig, kubectl, uid } from '../client/cluster.js';
import { CORPUS, download, type Manifest, manifests } from './corpus.js';
import { scratch, type Scratch, typecheck } from './helpers.js';
import { mutations } from './mutate.js';

const run = promisify(execFile);

interface Schemas { strict: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } } }

let s: Scratch;
let crds: Crd[];
let result: GenerateCrdsResult;
let examples: (Manifest & { crd: Crd; schema: JsonSchema; validator: Schemas['strict'] })[];
const ns = uid('crdgen');

beforeAll(async () => {
  s = scratch('crdgen-corpus-');
  const inputs: string[] = [];
  const all: Manifest[] = [];
  for (const m of CORPUS) {
    const dir = download(m);
    inputs.push(...m.crds.map((c) => join(dir, c)));
    all.push(...manifests(dir, `${m.module}@${m.version}`, m.examples));
  }
  crds = crdsFromPaths(inputs);
  result = await generateCrds({ inputs, outDir: s.out });
  // The examples of the corpus's own kinds, with the validator generated for their version.
  const byGvk = new Map<string, { crd: Crd; schema: JsonSchema }>(crds.flatMap((c) => c.versions.filter((v) => v.served).map((v) => [`${c.group}/${v.name}/${c.kind}`, { crd: c, schema: v.schema }] as const)));
  examples = [];
  for (const m of all) {
    const hit = byGvk.get(`${String(m.object.apiVersion)}/${String(m.object.kind)}`);
    if (!hit) continue;
    const mod = (await import(join(s.out, `${hit.crd.group}/${String(m.object.apiVersion).split('/')[1]}/${hit.crd.kind.toLowerCase()}.ts`))) as Record<string, unknown>;
    const schemas = Object.entries(mod).find(([k]) => k.endsWith('Schemas'))![1] as Schemas;
    // A snippet without a name cannot be sent by kubectl at all ("resource name may not be empty"):
    // give it one, for both sides, so that the server's validation is what gets compared.
    const meta = (m.object.metadata ??= {}) as Record<string, unknown>;
    const label = meta.name === undefined ? `${m.label} (unnamed: named "unnamed-${examples.length}")` : m.label;
    meta.name ??= `unnamed-${examples.length}`;
    examples.push({ ...m, label, ...hit, validator: schemas.strict });
  }
  // Install the corpus CRDs (server-side: prometheus-operator's are too big for the last-applied annotation).
  const file = join(s.dir, 'crds.yaml');
  writeFileSync(file, inputs.flatMap((d) => rawCrds(d)).join('---\n'));
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
  kubectl(['wait', '--for=condition=Established', '--timeout=120s', ...crds.map((c): string => `crd/${c.name}`)]);
  kubectl(['create', 'namespace', ns]);
}, 600_000);

afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
  s?.remove();
});

/** The CRD documents of a directory as YAML texts (the directories also hold kustomizations and policies). */
function rawCrds(dir: string): string[] {
  return manifests(dir, '', ['.']).filter((m) => m.object.kind === 'CustomResourceDefinition').map((m) => stringify(m.object));
}

/** Our strict validator's verdict: the issues, formatted. */
function ours(validator: Schemas['strict'], object: unknown): string[] {
  const r = validator.safeParse(object);
  return r.success ? [] : r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

/** The API server's verdict through kubectl ('' when accepted); namespaced objects go to the test's namespace. */
async function serverVerdict(object: Record<string, unknown>, namespaced: boolean, name: string): Promise<string> {
  const o = structuredClone(object);
  const meta = (o.metadata ??= {}) as Record<string, unknown>;
  if (namespaced) meta.namespace = ns;
  const file = join(s.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(o));
  try {
    await run('kubectl', ['--kubeconfig', adminKubeconfig(), 'apply', '--dry-run=server', '--validate=strict', '-f', file, '-o', 'name'], { encoding: 'utf8' });
    return '';
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err).trim();
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

/** The messages of a CRD's CEL rules (to tell a CEL rejection from a schema one). */
function celMessages(schema: JsonSchema): string[] {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n !== null && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === 'x-kubernetes-validations' && Array.isArray(v)) for (const r of v as { rule: string; message?: string }[]) out.push(r.message ?? r.rule);
        else walk(v);
      }
    }
  };
  walk(schema);
  return out;
}

describe('the real-world corpus', () => {
  it('generates every CRD, every served version', () => {
    const served = crds.flatMap((c) => c.versions.filter((v) => v.served).map((v) => `${c.group}/${v.name}/${c.kind.toLowerCase()}.ts`));
    expect(crds.length).toBeGreaterThanOrEqual(29);
    expect(result.crds).toBe(crds.length);
    expect(result.versions).toBe(served.length);
    expect(result.files).toEqual(expect.arrayContaining(served));
    console.log(`[crdgen figures] ${result.crds} CRDs, ${result.versions} served versions → ${result.files.length} files, ${(result.bytes / 1024 / 1024).toFixed(2)} MiB, generated in ${result.milliseconds} ms`);
  });

  it('type-checks under strict', { timeout: 300_000 }, () => {
    const r = typecheck(s.dir, ['out/**/*.ts']);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('accepts every example manifest the projects ship (but those the API server rejects too)', { timeout: 300_000 }, async () => {
    expect(examples.length).toBeGreaterThanOrEqual(100);
    const rejected = examples.filter((e) => ours(e.validator, e.object).length > 0);
    const verdicts = await pool(rejected, 2, (e, i) => serverVerdict(e.object, e.crd.namespaced, `rejected-${i}`));
    const report = rejected.map((e, i) => `${e.label}: ours: ${ours(e.validator, e.object).join('; ')} | server: ${verdicts[i] || 'ACCEPTED'}`);
    console.log(`[crdgen examples] ${examples.length} examples, ${examples.length - rejected.length} accepted; rejected by both us and the API server:\n${report.join('\n')}`);
    expect(verdicts.filter((v) => v === '')).toEqual([]);
    // Timing: the strict validator over every example, repeatedly (built once, as in use).
    const rounds = 20;
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) for (const e of examples) e.validator.safeParse(e.object);
    const perObject = ((performance.now() - t0) * 1000) / (rounds * examples.length);
    console.log(`[crdgen figures] strict validation: ${perObject.toFixed(1)} µs per object (mean over ${examples.length} examples × ${rounds})`);
  });

  it('agrees with kubectl apply --dry-run=server --validate=strict on every example and its mutated copies', { timeout: 900_000 }, async () => {
    const cases = examples.flatMap((e) => [
      { label: e.label, what: 'as shipped', object: e.object, e },
      ...mutations(e.object, e.schema).map((m) => ({ label: e.label, what: `${m.kind} at ${m.path.join('.')}`, object: m.object, e })),
    ]);
    const verdicts = await pool(cases, 3, (c, i) => serverVerdict(c.object, c.e.crd.namespaced, `case-${i}`));
    const disagreements: string[] = [];
    const cel: string[] = [];
    cases.forEach((c, i) => {
      const mine = ours(c.e.validator, c.object);
      const theirs = verdicts[i]!;
      if ((mine.length === 0) === (theirs === '')) return;
      const line = `${c.label} (${c.what}): ours ${mine.length === 0 ? 'ACCEPTS' : `REJECTS [${mine.join('; ')}]`}, server ${theirs === '' ? 'ACCEPTS' : `REJECTS [${theirs.replace(/\s+/g, ' ')}]`}`;
      const isCel = mine.length === 0 && celMessages(c.e.schema).some((m) => theirs.includes(m));
      (isCel ? cel : disagreements).push(line);
    });
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.what.replace(/ at .*$/, ''), (kinds.get(c.what.replace(/ at .*$/, '')) ?? 0) + 1);
    const bothReject = cases.filter((c, i) => c.what !== 'as shipped' && verdicts[i] !== '' && ours(c.e.validator, c.object).length > 0).length;
    console.log(`[crdgen agreement] cases by kind: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; mutated copies rejected by both: ${bothReject}`);
    console.log(`[crdgen agreement] ${cases.length} cases (${examples.length} examples + mutated copies): ${cases.length - disagreements.length - cel.length} agree; CEL-only (the server's x-kubernetes-validations, documented not checked): ${cel.length}\n${cel.join('\n')}\nother disagreements: ${disagreements.length}\n${disagreements.join('\n')}`);
    expect(disagreements).toEqual([]);
  });
});
