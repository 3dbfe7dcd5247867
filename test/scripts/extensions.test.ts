/**
 * The generator on a small synthetic document carrying the Kubernetes extensions that the
 * built-in documents barely use (CRD-style int-or-string, preserve-unknown-fields,
 * embedded resources, enums, nullable), then the generated code imported and exercised.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate } from '../../scripts/generate/pipeline.js';
import { outputParent, removeAll, widgetDocument, WIDGET_FILE, writeInput } from './fixtures.js';

interface GeneratedSchemas {
  schemaFor(apiVersion: string, kind: string, mode?: 'strict' | 'loose'): { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; code: string }[] } } } | undefined;
}
interface GeneratedResources {
  resources: Record<string, { namespaced: boolean; verbs: readonly string[]; subresources: readonly string[]; schema: string; listSchema?: string }>;
  preferred: Record<string, string>;
}

let input: string;
let parent: string;
let out: string;
let gen: GeneratedSchemas;
let table: GeneratedResources;

beforeAll(async () => {
  input = writeInput({ [WIDGET_FILE]: widgetDocument() });
  parent = outputParent();
  out = join(parent, 'generated');
  await generate({ inputDir: input, outputDir: out });
  gen = (await import(join(out, 'schemas.ts'))) as GeneratedSchemas;
  table = (await import(join(out, 'resources.ts'))) as GeneratedResources;
}, 60_000);
afterAll(() => removeAll(input, parent));

const widget = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, ...spec }, ...extra });

function parse(obj: unknown, mode: 'strict' | 'loose' = 'strict') {
  return gen.schemaFor('example.com/v1', 'Widget', mode)!.safeParse(obj);
}
const paths = (r: ReturnType<typeof parse>) => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('extensions', () => {
  test('format int-or-string and x-kubernetes-int-or-string take an integer or a string', () => {
    expect(parse(widget({ port: 80, size: 'large' })).success).toBe(true);
    expect(parse(widget({ port: 'http', size: 3 })).success).toBe(true);
    expect(paths(parse(widget({ port: true })))).toEqual(['spec.port']);
    expect(paths(parse(widget({ size: 1.5 })))).toEqual(['spec.size']);
  });

  test('x-kubernetes-preserve-unknown-fields keeps any content, even in strict mode', () => {
    const r = parse(widget({ config: { anything: { nested: [1, 'two'] } } }));
    expect(r.success).toBe(true);
    expect((r.data as { spec: { config: unknown } }).spec.config).toEqual({ anything: { nested: [1, 'two'] } });
  });

  test('x-kubernetes-embedded-resource has apiVersion, kind and a checked metadata', () => {
    expect(parse(widget({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 1 } } })).success).toBe(true);
    expect(paths(parse(widget({ template: { metadata: { nmae: 'p' } } })))).toEqual(['spec.template.metadata']);
  });

  test('enums, nullable, Quantity, byte', () => {
    expect(paths(parse(widget({ mode: 'Medium' })))).toEqual(['spec.mode']);
    expect(parse(widget({ mode: 'Fast', note: null, memory: '128Mi', secret: 'aGk=' })).success).toBe(true);
    expect(paths(parse(widget({ memory: '128MB' })))).toEqual(['spec.memory']);
    expect(paths(parse(widget({ secret: 'not base64!' })))).toEqual(['spec.secret']);
  });

  test('self-reference (a tree) is validated at every depth', () => {
    const tree = { name: 'a', children: [{ name: 'b', children: [{ name: 'c', chlidren: [] }] }] };
    expect(paths(parse(widget({ tree })))).toEqual(['spec.tree.children.0.children.0']);
    expect(parse(widget({ tree }), 'loose').success).toBe(true);
  });

  test('defaults are not applied and null stays null', () => {
    const obj = widget({}, { metadata: { name: 'w', creationTimestamp: null } });
    const r = parse(obj);
    expect(r.success).toBe(true);
    expect(r.data).toStrictEqual(obj);
  });

  test('the spelled-out output type of a self-referencing definition is emitted', () => {
    const types = readFileSync(join(out, 'schema-types.ts'), 'utf8');
    expect(types).toContain('export type com_example_v1_Tree_Output = { children?: Array<com_example_v1_Tree_Output> | null; name: string; };');
  });
});

describe('resource table from paths', () => {
  test('scope, verbs (watch from the /watch/ path), subresources, schemas', () => {
    expect(table.resources).toEqual({
      'example.com/v1/widgets': {
        group: 'example.com',
        version: 'v1',
        kind: 'Widget',
        plural: 'widgets',
        singular: 'widget',
        namespaced: true,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        subresources: ['status'],
        schema: 'com.example.v1.Widget',
        listSchema: 'com.example.v1.WidgetList',
      },
    });
    expect(table.preferred).toEqual({ widgets: 'example.com/v1/widgets' });
  });
});
