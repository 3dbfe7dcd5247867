/** Small OpenAPI inputs for generator tests: an openapi/-shaped dir in a temp folder. */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/** A minimal document: ObjectMeta, Quantity and a namespaced `Widget` kind served at example.com/v1. */
export function widgetDocument(): Record<string, unknown> {
  const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
  const op = (action: string, kind = gvk) => ({ 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': kind, responses: {} });
  const base = '/apis/example.com/v1';
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: {
      [`${base}/namespaces/{namespace}/widgets`]: {
        get: { ...op('list'), responses: { '200': { content: { 'application/json': { schema: ref('com.example.v1.WidgetList') } } } } },
        post: op('post'),
        delete: op('deletecollection'),
      },
      [`${base}/namespaces/{namespace}/widgets/{name}`]: { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') },
      [`${base}/namespaces/{namespace}/widgets/{name}/status`]: { get: op('get'), put: op('put'), patch: op('patch') },
      [`${base}/widgets`]: { get: op('list') },
      [`${base}/watch/namespaces/{namespace}/widgets`]: { get: op('watchlist') },
    },
    components: {
      schemas: {
        [`${META}ObjectMeta`]: {
          type: 'object',
          properties: { name: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string', default: '' } }, creationTimestamp: { allOf: [ref(`${META}Time`)] } },
        },
        [`${META}ListMeta`]: { type: 'object', properties: { resourceVersion: { type: 'string' } } },
        [`${META}Time`]: { type: 'string', format: 'date-time' },
        'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
        'com.example.v1.Widget': {
          type: 'object',
          'x-kubernetes-group-version-kind': [gvk],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { allOf: [ref(`${META}ObjectMeta`)], default: {} },
            spec: { allOf: [ref('com.example.v1.WidgetSpec')], default: {} },
          },
        },
        'com.example.v1.WidgetList': {
          type: 'object',
          'x-kubernetes-group-version-kind': [{ ...gvk, kind: 'WidgetList' }],
          required: ['items'],
          properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, items: { type: 'array', items: ref('com.example.v1.Widget') }, metadata: ref(`${META}ListMeta`) },
        },
        'com.example.v1.WidgetSpec': {
          type: 'object',
          required: ['size'],
          properties: {
            port: { type: 'string', format: 'int-or-string' },
            size: { type: 'integer', 'x-kubernetes-int-or-string': true },
            memory: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
            config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
            mode: { type: 'string', enum: ['Fast', 'Slow'] },
            note: { type: 'string', nullable: true },
            replicas: { type: 'integer', format: 'int32', default: 1 },
            tree: ref('com.example.v1.Tree'),
            secret: { type: 'string', format: 'byte' },
          },
        },
        'com.example.v1.Tree': {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, children: { type: 'array', items: ref('com.example.v1.Tree') } },
        },
      },
    },
  };
}

export const WIDGET_FILE = 'apis__example.com__v1_openapi.json';

/** Writes an openapi/-shaped input dir. `docs` values that are strings are written verbatim (for bad JSON). */
export function writeInput(docs: Record<string, unknown>, listed: string[] = Object.keys(docs)): string {
  const dir = mkdtempSync(join(tmpdir(), 'kf-openapi-'));
  mkdirSync(join(dir, 'v3'));
  for (const [name, doc] of Object.entries(docs)) {
    writeFileSync(join(dir, 'v3', name), typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  }
  const source = { module: 'k8s.io/kubernetes', version: 'v0.0.0-test', sum: '', path: 'api/openapi-spec/v3', files: [...listed].sort() };
  writeFileSync(join(dir, 'source.json'), JSON.stringify(source, null, 2));
  return dir;
}

/**
 * A temp folder for output that can import the repo's packages (zod): node_modules is linked
 * in, so a generated schemas.ts can be imported from there.
 */
export function outputParent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kf-generated-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** name → contents of every file below `dir` (links are named, not followed), for before/after comparisons. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[`${prefix}${name}`] = '(link)';
      else if (st.isDirectory()) walk(p, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

export function removeAll(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
