/**
 * Bad input and the output directory: every refusal is a CrdGenError naming the file (or
 * CRD) and the JSONPath, and the output directory is left exactly as it was. Also: the
 * output is byte-for-byte reproducible, and the CLI's help, usage errors and --check.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCrdsCommand } from '../../src/crdgen/cli.js';
import { CrdGenError } from '../../src/crdgen/errors.js';
import { generateCrds } from '../../src/crdgen/generate.js';
import { GADGET_CRD_JSON, WIDGET_CRD, withLine } from './fixtures.js';
import { put, REPO, scratch, type Scratch } from './helpers.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.remove());

/** Every file under a directory with its contents (to prove it did not change). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      if (name.isDirectory()) walk(join(d, name.name), `${rel}${name.name}/`);
      else out[`${rel}${name.name}`] = readFileSync(join(d, name.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

async function refusal(files: Record<string, string>): Promise<CrdGenError> {
  for (const [name, text] of Object.entries(files)) put(s.dir, `in/${name}`, text);
  // A good earlier generation must survive the failed one untouched.
  put(s.dir, 'good/gadget.json', GADGET_CRD_JSON);
  await generateCrds({ inputs: [join(s.dir, 'good')], outDir: s.out });
  const before = snapshot(s.out);
  const err = await generateCrds({ inputs: [join(s.dir, 'in')], outDir: s.out }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CrdGenError);
  expect(snapshot(s.out)).toEqual(before);
  expect(readdirSync(dirname(s.out)).filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
  return err as CrdGenError;
}

describe('bad input is refused with the file and JSONPath, and nothing is written', () => {
  it('malformed YAML', async () => {
    const e = await refusal({ 'bad.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: [\n' });
    expect(e.reason).toBe('InvalidCrd');
    expect(e.source).toBe('in/bad.yaml');
    expect(e.message).toMatch(/^in\/bad\.yaml at \$: not valid YAML\/JSON: .*\(line \d+\)$/);
  });

  it('a v1beta1 CRD, a missing group, a bad type, the third document of a file', async () => {
    let e = await refusal({ 'w.yaml': withLine(WIDGET_CRD, 'apiVersion: apiextensions.k8s.io/v1', 'apiVersion: apiextensions.k8s.io/v1beta1') });
    expect([e.reason, e.source, e.jsonPath]).toEqual(['InvalidCrd', 'in/w.yaml', '$.apiVersion']);
    e = await refusal({ 'w.yaml': withLine(WIDGET_CRD, '  group: example.kubefluent.dev', '  group: ""') });
    expect([e.reason, e.jsonPath]).toEqual(['InvalidCrd', '$.spec.group']);
    e = await refusal({ 'w.yaml': `kind: ConfigMap\n---\nkind: Secret\n---\n${withLine(WIDGET_CRD, 'size: { type: string, enum: [small, large] }', 'size: { type: strin }')}` });
    expect([e.reason, e.source, e.jsonPath]).toEqual(['InvalidCrd', 'in/w.yaml#2', '$.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.type']);
    expect(e.message).toContain('unknown type "strin"');
  });

  it('a group or version that is not a DNS name (it would become a path)', async () => {
    const e = await refusal({ 'w.yaml': withLine(WIDGET_CRD, '  group: example.kubefluent.dev', '  group: ../../escape') });
    expect([e.reason, e.jsonPath]).toEqual(['InvalidCrd', '$.spec.group']);
  });

  it('a construct the generator cannot express: an RE2 pattern JavaScript lacks', async () => {
    const e = await refusal({ 'w.yaml': withLine(WIDGET_CRD, "pattern: '^[a-z]+$'", "pattern: '^\\Qa.b\\E$'") });
    expect([e.reason, e.jsonPath]).toEqual(['Unsupported', '$.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.port.pattern']);
    expect(e.message).toContain('\\Q…\\E quoting');
  });

  it('clashing names: one CRD twice, or two CRDs with one kind', async () => {
    let e = await refusal({ 'a.yaml': WIDGET_CRD, 'b.yaml': WIDGET_CRD });
    expect([e.reason, e.source]).toEqual(['NameClash', 'in/b.yaml']);
    expect(e.message).toContain('also defined in in/a.yaml');
    e = await refusal({ 'a.yaml': WIDGET_CRD, 'b.yaml': WIDGET_CRD.replace('name: widgets.example.kubefluent.dev', 'name: widgetz.example.kubefluent.dev').replace('plural: widgets', 'plural: widgetz') });
    expect(e.reason).toBe('NameClash');
    expect(e.message).toContain('kind Widget in group example.kubefluent.dev is also the kind of widgets.example.kubefluent.dev');
  });

  it('no CRD at all', async () => {
    const e = await refusal({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n' });
    expect(e.reason).toBe('NoInput');
  });

  it('never replaces a directory it did not make', async () => {
    put(s.dir, 'mine/keep.ts', 'export const mine = 1;\n');
    put(s.dir, 'in/w.yaml', WIDGET_CRD);
    const err = await generateCrds({ inputs: [join(s.dir, 'in')], outDir: join(s.dir, 'mine') }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CrdGenError);
    expect((err as CrdGenError).reason).toBe('Output');
    expect(snapshot(join(s.dir, 'mine'))).toEqual({ 'keep.ts': 'export const mine = 1;\n' });
  });
});

describe('reproducible output', () => {
  it('is byte-for-byte the same for the same CRDs, however the YAML orders its keys', async () => {
    put(s.dir, 'a/crds/widget.yaml', WIDGET_CRD);
    // The same CRD as JSON, every object's keys reversed.
    const { parse } = await import('yaml');
    const reverse = (v: unknown): unknown => Array.isArray(v) ? v.map(reverse)
      : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    put(s.dir, 'b/crds/widget.yaml', JSON.stringify(reverse(parse(WIDGET_CRD)), null, 1));
    await generateCrds({ inputs: [join(s.dir, 'a/crds')], outDir: join(s.dir, 'out-a') });
    await generateCrds({ inputs: [join(s.dir, 'b/crds')], outDir: join(s.dir, 'out-b') });
    await generateCrds({ inputs: [join(s.dir, 'a/crds')], outDir: join(s.dir, 'out-a') });
    const a = snapshot(join(s.dir, 'out-a'));
    expect(Object.keys(a).sort()).toEqual(['_support.ts', 'example.kubefluent.dev/v1/index.ts', 'example.kubefluent.dev/v1/widget.ts', 'example.kubefluent.dev/v1beta1/index.ts', 'example.kubefluent.dev/v1beta1/widget.ts']);
    expect(snapshot(join(s.dir, 'out-b'))).toEqual(a);
  });
});

describe('the committed output of the test CRDs', () => {
  it('is what generate-crds writes today (npm run generate:crds)', async () => {
    const r = await generateCrds({ inputs: ['test/crdgen/crds'], outDir: 'test/crdgen/generated', check: true });
    expect(r.outOfDate).toEqual([]);
    expect(r.files.length).toBe(6);
  });
});

describe('the CLI', () => {
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await generateCrdsCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('explains itself', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const part of ['Usage:', 'kubefluent generate-crds <file|dir>... --out <dir>', '--from-cluster', '--group <group>', '--check', "import 'zod'"]) expect(r.out).toContain(part);
  });

  it('answers usage errors with exit code 2 and the fix', async () => {
    expect(await run('x.yaml')).toMatchObject({ code: 2, err: expect.stringContaining('--out <dir> is required') });
    expect(await run('--out', 'o')).toMatchObject({ code: 2, err: expect.stringContaining('give CRD files or directories, or --from-cluster') });
    expect(await run('--from-cluster', 'x.yaml', '--out', 'o')).toMatchObject({ code: 2, err: expect.stringContaining('not both') });
    expect(await run('--group', 'g', 'x.yaml', '--out', 'o')).toMatchObject({ code: 2, err: expect.stringContaining('go with --from-cluster') });
    expect(await run('--crd', 'widgets.example.com', 'x.yaml', '--out', 'o')).toMatchObject({ code: 2, err: expect.stringContaining('--crd, --context and --kubeconfig go with --from-cluster') });
    expect(await run('--bogus')).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--bogus'") });
  });

  it('generates, then --check says up to date, and names a file edited by hand', async () => {
    put(s.dir, 'crds/widget.yaml', WIDGET_CRD);
    const gen = await run(join(s.dir, 'crds'), '--out', s.out);
    expect(gen.code).toBe(0);
    expect(gen.out).toMatch(/^generated 2 versions of 1 CRD: 5 files, \d+ KiB in \d+ ms → /);
    expect(await run(join(s.dir, 'crds'), '--out', s.out, '--check')).toMatchObject({ code: 0 });
    const file = join(s.out, 'example.kubefluent.dev/v1/widget.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}// edited\n`);
    const check = await run(join(s.dir, 'crds'), '--out', s.out, '--check');
    expect(check.code).toBe(1);
    expect(check.err).toContain('  example.kubefluent.dev/v1/widget.ts');
  });

  it('reports a refusal with exit code 1, the reason, and that nothing was written', async () => {
    put(s.dir, 'crds/bad.yaml', withLine(WIDGET_CRD, 'apiVersion: apiextensions.k8s.io/v1', 'apiVersion: apiextensions.k8s.io/v1beta1'));
    const r = await run(join(s.dir, 'crds'), '--out', s.out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('crds/bad.yaml at $.apiVersion: expected "apiextensions.k8s.io/v1"');
    expect(r.err).toContain('(InvalidCrd; nothing was written to');
    expect(existsSync(s.out)).toBe(false);
  });

  it('is the `kubefluent` command: help, the subcommand, and exit code 2 for an unknown command', { timeout: 60_000 }, async () => {
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli.ts'), ...args], { cwd: REPO, encoding: 'utf8' })
      .then((r) => ({ code: 0, out: r.stdout, err: r.stderr }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }));
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('generate-crds   TypeScript types, validators and resource specs from CustomResourceDefinitions');
    expect((await cli('generate-crds', '--help')).out).toContain('kubefluent generate-crds --from-cluster');
    const unknown = await cli('generate-crd');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "generate-crd"');
  });
});
