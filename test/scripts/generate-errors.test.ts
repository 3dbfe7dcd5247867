import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { GenerateError } from '../../scripts/generate/errors.js';
import { generate } from '../../scripts/generate/pipeline.js';
import { outputParent, removeAll, repoRoot, snapshot, widgetDocument, WIDGET_FILE, writeInput } from './fixtures.js';

const cleanup: string[] = [];
afterEach(() => removeAll(...cleanup.splice(0)));

/** An output dir holding a previous generation, to prove a failed run leaves it alone. */
function existingOutput(): string {
  const parent = outputParent();
  cleanup.push(parent);
  const out = join(parent, 'generated');
  mkdirSync(out);
  writeFileSync(join(out, 'index.ts'), '// previous generation\n');
  return out;
}

async function expectFailure(input: string, file: string, jsonPath: string | RegExp, detail: RegExp): Promise<void> {
  cleanup.push(input);
  const out = existingOutput();
  const before = snapshot(join(out, '..'));
  const err: unknown = await generate({ inputDir: input, outputDir: out }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GenerateError);
  const g = err as GenerateError;
  expect(g.file).toBe(file);
  if (typeof jsonPath === 'string') expect(g.jsonPath).toBe(jsonPath);
  else expect(g.jsonPath).toMatch(jsonPath);
  expect(g.detail).toMatch(detail);
  expect(g.message).toContain(file);
  // Nothing written, renamed or left behind next to the output.
  expect(snapshot(join(out, '..'))).toEqual(before);
}

describe('generate on bad input fails naming the file and JSON path, leaving the output alone', () => {
  test('a document listed in source.json is missing', async () => {
    const input = writeInput({ [WIDGET_FILE]: widgetDocument() }, [WIDGET_FILE, 'api__v1_openapi.json']);
    await expectFailure(input, 'v3/api__v1_openapi.json', '$', /missing/);
  });

  test('a document is not valid JSON', async () => {
    const text = JSON.stringify(widgetDocument(), null, 2).replace('"openapi": "3.0.0",', '"openapi": "3.0.0"');
    await expectFailure(writeInput({ [WIDGET_FILE]: text }), `v3/${WIDGET_FILE}`, /^\$\.openapi \(line 3, column 3\)$/, /invalid JSON/);
  });

  test('a truncated document names the path it broke off in', async () => {
    const full = JSON.stringify(widgetDocument(), null, 2);
    const text = full.slice(0, full.indexOf('"x-kubernetes-int-or-string"') + 10);
    await expectFailure(writeInput({ [WIDGET_FILE]: text }), `v3/${WIDGET_FILE}`, /^\$\.components\.schemas\["com\.example\.v1\.WidgetSpec"\]\.properties\.size \(line \d+, column \d+\)$/, /invalid JSON/);
  });

  test('a $ref points at an unknown schema', async () => {
    const doc = widgetDocument() as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    doc.components.schemas['com.example.v1.Widget']!.properties['spec'] = { allOf: [{ $ref: '#/components/schemas/com.example.v1.Missing' }] };
    await expectFailure(
      writeInput({ [WIDGET_FILE]: doc }),
      `v3/${WIDGET_FILE}`,
      '$.components.schemas["com.example.v1.Widget"].properties.spec.allOf[0].$ref',
      /unknown schema "com.example.v1.Missing"/,
    );
  });

  test('two documents define one name differently', async () => {
    const other = widgetDocument() as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    other.components.schemas['com.example.v1.Tree']!.properties['extra'] = { type: 'string' };
    const input = writeInput({ [WIDGET_FILE]: widgetDocument(), 'apis__other_openapi.json': other });
    await expectFailure(input, 'v3/apis__other_openapi.json', '$.components.schemas["com.example.v1.Tree"]', /differs from .*apis__example\.com__v1_openapi\.json/);
  });

  test('a document is not an OpenAPI 3 document', async () => {
    await expectFailure(writeInput({ [WIDGET_FILE]: { swagger: '2.0', paths: {} } }), `v3/${WIDGET_FILE}`, '$.openapi', /OpenAPI 3/);
  });

  test('a document that source.json does not list', async () => {
    const input = writeInput({ [WIDGET_FILE]: widgetDocument(), 'extra_openapi.json': widgetDocument() }, [WIDGET_FILE]);
    await expectFailure(input, 'v3/extra_openapi.json', '$', /not listed/);
  });

  test('source.json is missing', async () => {
    const input = writeInput({ [WIDGET_FILE]: widgetDocument() });
    rmSync(join(input, 'source.json'));
    await expectFailure(input, 'source.json', '$', /missing/);
  });

  test('the CLI exits non-zero and says what is wrong and that generated/ is unchanged', async () => {
    const doc = widgetDocument() as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    doc.components.schemas['com.example.v1.WidgetSpec']!.properties['tree'] = { $ref: '#/components/schemas/nope' };
    const input = writeInput({ [WIDGET_FILE]: doc });
    cleanup.push(input);
    const out = existingOutput();
    const run = promisify(execFile)(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'scripts/generate.ts'), '--in', input, '--out', out]);
    const err = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stderr: string } | undefined;
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain(`v3/${WIDGET_FILE} at $.components.schemas["com.example.v1.WidgetSpec"].properties.tree.$ref`);
    expect(err?.stderr).toContain('unchanged');
    expect(readdirSync(out)).toEqual(['index.ts']);
  });
});

test('a good input replaces the output as a whole; every file carries the header', async () => {
  const input = writeInput({ [WIDGET_FILE]: widgetDocument() });
  cleanup.push(input);
  const out = existingOutput();
  const r = await generate({ inputDir: input, outputDir: out });
  expect(r.files).toEqual(['index.ts', 'models.ts', 'resources.ts', 'schema-types.ts', 'schemas.ts', 'types.ts']);
  const files = snapshot(out);
  expect(Object.keys(files)).toEqual(r.files);
  for (const text of Object.values(files)) expect(text.startsWith('// generated by scripts/generate.ts — do not edit.\n')).toBe(true);
  expect(readdirSync(join(out, '..')).filter((n) => n.startsWith('.'))).toEqual([]);
  expect(existsSync(join(out, 'index.ts'))).toBe(true);
});
