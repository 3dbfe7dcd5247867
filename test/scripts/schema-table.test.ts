/**
 * The schema table (generated/schemas.ts writes each definition as data, read into zod/mini on
 * first use): the constructs the built-in documents do not use today — literal unions,
 * intersections, unions of references, a catchall that refers back into its own cycle, a
 * definition that is only a reference — generated from a small document, then imported and
 * checked against the same schemas written by hand with zod/mini (same answers, same issues).
 */
import { join } from 'node:path';
import * as z from 'zod/mini';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GenerateError } from '../../scripts/generate/errors.js';
import { generate } from '../../scripts/generate/pipeline.js';
import { outputParent, removeAll, widgetDocument, WIDGET_FILE, writeInput } from './fixtures.js';

type Schema = z.ZodMiniType;
interface GeneratedSchemas {
  schemaByName(name: string, mode?: 'strict' | 'loose'): Schema | undefined;
  schemas(mode: 'strict' | 'loose'): Record<string, Schema>;
  kindSchemaNames: Record<string, string>;
}

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/com.example.v1.${name}` });

/** The widget document plus definitions for each construct. */
function document(extra: Record<string, unknown>): Record<string, unknown> {
  const doc = widgetDocument() as { components: { schemas: Record<string, unknown> } };
  Object.assign(doc.components.schemas, extra);
  return doc;
}

const EXTRA = {
  'com.example.v1.Level': { enum: [1, 2, true] },
  'com.example.v1.Left': { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
  'com.example.v1.Right': { type: 'object', properties: { b: { type: 'integer' } } },
  'com.example.v1.Both': { allOf: [ref('Left'), ref('Right')] },
  'com.example.v1.Either': { oneOf: [ref('Left'), ref('Right')] },
  // A map of itself: the catchall refers back into the definition's own cycle.
  'com.example.v1.Folder': { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: ref('Folder') },
  'com.example.v1.Alias': ref('Left'),
  'com.example.v1.Color': { type: 'string', enum: ['red', 'green'] },
};

let input: string;
let parent: string;
let gen: GeneratedSchemas;

beforeAll(async () => {
  input = writeInput({ [WIDGET_FILE]: document(EXTRA) });
  parent = outputParent();
  const out = join(parent, 'generated');
  await generate({ inputDir: input, outputDir: out });
  gen = (await import(join(out, 'schemas.ts'))) as GeneratedSchemas;
}, 60_000);
afterAll(() => removeAll(input, parent));

/** The same definitions written by hand, as the code form of the generator wrote them. */
function byHand(strict: boolean): Record<string, Schema> {
  const obj = (shape: z.core.$ZodLooseShape) => (strict ? z.strictObject(shape) : z.looseObject(shape));
  const left = obj({ a: z.string() });
  const right = obj({ b: z.nullish(z.int()) });
  const folder: Schema = z.catchall(obj({ name: z.nullish(z.string()) }), z.lazy(() => folder));
  return {
    Level: z.union([z.literal(1), z.literal(2), z.literal(true)]),
    Both: z.lazy(() => z.intersection(left, right)),
    Either: z.lazy(() => z.union([left, right])),
    Folder: folder,
    Alias: z.lazy(() => left),
    Color: z.enum(['red', 'green']),
  };
}

const SAMPLES: Record<string, unknown[]> = {
  Level: [1, 2, true, 3, false, '1', null],
  Both: [{ a: 'x', b: 1 }, { a: 'x' }, { b: 1 }, { a: 'x', b: 'y' }, { a: 'x', c: 1 }, 'nope'],
  Either: [{ a: 'x' }, { b: 2 }, {}, { a: 1 }, { c: 1 }, []],
  Folder: [{}, { name: 'root', docs: { name: 'docs', api: {} } }, { name: 'r', docs: { nmae: 1 } }, { name: 'r', docs: 'file' }, { name: 3 }],
  Alias: [{ a: 'x' }, {}, { a: 'x', extra: true }],
  Color: ['red', 'green', 'blue', 1],
};

/** What a parse answers, issues included (without zod's internals). */
function outcome(schema: Schema, value: unknown): unknown {
  const r = schema['~standard'].validate(value) as { value?: unknown; issues?: readonly { message: string; path?: readonly PropertyKey[] }[] };
  return r.issues ? { issues: JSON.parse(JSON.stringify(r.issues)) as unknown } : { value: r.value };
}

describe('the schema table reads into the schemas the code form built', () => {
  for (const mode of ['strict', 'loose'] as const) {
    test(`${mode}: the same answers and issues for every construct`, () => {
      const hand = byHand(mode === 'strict');
      for (const [name, values] of Object.entries(SAMPLES)) {
        const generated = gen.schemaByName(`com.example.v1.${name}`, mode);
        expect(generated, name).toBeDefined();
        for (const v of values) expect(outcome(generated!, v), `${name} ${JSON.stringify(v)}`).toEqual(outcome(hand[name]!, v));
      }
    });
  }

  test('a self-referring catchall is checked at every depth, with the path', () => {
    const folder = gen.schemaByName('com.example.v1.Folder', 'strict')!;
    const r = folder['~standard'].validate({ name: 'r', a: { b: { c: { name: 3, d: 'file' } } } }) as { issues?: { path: PropertyKey[]; code: string }[] };
    expect(r.issues?.map((i) => [i.code, i.path.join('.')])).toEqual([['invalid_type', 'a.b.c.name'], ['invalid_type', 'a.b.c.d']]);
  });

  test('every definition is built once per mode, on first read', () => {
    const all = gen.schemas('strict');
    expect(Object.keys(all)).toContain('com.example.v1.Folder');
    expect(all['com.example.v1.Left']).toBe(all['com.example.v1.Left']);
    expect(gen.schemaByName('com.example.v1.Left', 'loose')).not.toBe(all['com.example.v1.Left']);
    expect(gen.kindSchemaNames).toEqual({ 'example.com/v1/Widget': 'com.example.v1.Widget', 'example.com/v1/WidgetList': 'com.example.v1.WidgetList' });
  });
});

test('a property name the table cannot write fails the generation, naming it', async () => {
  const bad = writeInput({ [WIDGET_FILE]: document({ 'com.example.v1.Odd': { type: 'object', properties: { 'a:b': { type: 'string' } } } }) });
  const out = outputParent();
  try {
    const err: unknown = await generate({ inputDir: bad, outputDir: join(out, 'generated') }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateError);
    expect((err as GenerateError).jsonPath).toBe('$.components.schemas["com.example.v1.Odd"].properties["a:b"]');
    expect((err as GenerateError).detail).toMatch(/property name "a:b" cannot be written in the schema table/);
  } finally {
    removeAll(bad, out);
  }
});
