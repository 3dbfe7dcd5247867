/**
 * Reads openapi/ (source.json + v3/*.json), checks it, and merges every document's
 * `components.schemas` into one map. Every failure names the file and the JSONPath.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenerateError, jsonPath } from './errors.js';
import type { GroupVersionKind, OpenAPIDocument, Schema } from './spec.js';
import { SCHEMA_REF_PREFIX } from './spec.js';

export interface SourceInfo {
  module: string;
  version: string;
  sum: string;
  path: string;
  files: string[];
}

export interface LoadedDocument {
  /** Relative to the input dir, e.g. `v3/api__v1_openapi.json`. */
  file: string;
  doc: OpenAPIDocument;
}

export interface LoadedSpecs {
  source: SourceInfo;
  documents: LoadedDocument[];
  /** Every definition, keys sorted; `x-kubernetes-group-version-kind` is the union over documents. */
  schemas: Record<string, Schema>;
}

const SOURCE_FILE = 'source.json';
const DOC_DIR = 'v3';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse that reports the line and column of a syntax error. */
function parseJSON(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '$';
    if (pos) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = `${jsonPath(pathAtOffset(text, offset))} (line ${line}, column ${column})`;
    }
    throw new GenerateError(file, where, `invalid JSON: ${msg}`);
  }
}

/** The JSON path of the innermost value being read at `offset` of (possibly broken) JSON text. */
function pathAtOffset(text: string, offset: number): (string | number)[] {
  const stack: { key: string | number | undefined; array: boolean }[] = [];
  let expectKey = false;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top && !top.array && expectKey && j < offset) {
        top.key = text.slice(i + 1, j);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push({ key: undefined, array: false });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ key: 0, array: true });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top) {
      if (top.array) top.key = (top.key as number) + 1;
      else {
        top.key = undefined;
        expectKey = true;
      }
    }
  }
  return stack.flatMap((f) => (f.key === undefined ? [] : [f.key]));
}

function readSource(inputDir: string): SourceInfo {
  const path = join(inputDir, SOURCE_FILE);
  if (!existsSync(path)) {
    throw new GenerateError(SOURCE_FILE, '$', `missing in ${inputDir}; run \`npm run openapi:update -- <version>\``);
  }
  const raw = parseJSON(readFileSync(path, 'utf8'), SOURCE_FILE);
  if (!isObject(raw)) throw new GenerateError(SOURCE_FILE, '$', 'expected an object');
  for (const key of ['module', 'version', 'sum', 'path'] as const) {
    if (typeof raw[key] !== 'string') throw new GenerateError(SOURCE_FILE, jsonPath([key]), 'expected a string');
  }
  const files = raw['files'];
  if (!Array.isArray(files) || !files.every((f): f is string => typeof f === 'string')) {
    throw new GenerateError(SOURCE_FILE, jsonPath(['files']), 'expected an array of file names');
  }
  return { module: raw['module'] as string, version: raw['version'] as string, sum: raw['sum'] as string, path: raw['path'] as string, files: [...files].sort() };
}

/** Checks the shape the generator relies on and every `$ref`, naming the JSONPath of a bad node. */
function checkDocument(raw: unknown, file: string): OpenAPIDocument {
  if (!isObject(raw)) throw new GenerateError(file, '$', 'expected an OpenAPI document (a JSON object)');
  if (typeof raw['openapi'] !== 'string' || !raw['openapi'].startsWith('3.')) {
    throw new GenerateError(file, jsonPath(['openapi']), `expected an OpenAPI 3.x version string, got ${JSON.stringify(raw['openapi'])}`);
  }
  const paths = raw['paths'];
  if (paths !== undefined) {
    if (!isObject(paths)) throw new GenerateError(file, jsonPath(['paths']), 'expected an object');
    for (const [p, item] of Object.entries(paths)) {
      if (!isObject(item)) throw new GenerateError(file, jsonPath(['paths', p]), 'expected a path item object');
    }
  }
  const components = raw['components'];
  let schemas: Record<string, unknown> = {};
  if (components !== undefined) {
    if (!isObject(components)) throw new GenerateError(file, jsonPath(['components']), 'expected an object');
    const s = components['schemas'];
    if (s !== undefined) {
      if (!isObject(s)) throw new GenerateError(file, jsonPath(['components', 'schemas']), 'expected an object');
      for (const [name, def] of Object.entries(s)) {
        if (!isObject(def)) throw new GenerateError(file, jsonPath(['components', 'schemas', name]), 'expected a schema object');
      }
      schemas = s;
    }
  }
  checkRefs(raw, [], false, schemas, file);
  return raw as unknown as OpenAPIDocument;
}

/** Every `$ref` must point at a schema of the same document (Kubernetes' documents are self-contained). */
function checkRefs(node: unknown, path: (string | number)[], inPropertyMap: boolean, schemas: Record<string, unknown>, file: string): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkRefs(v, [...path, i], false, schemas, file));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    // In a `properties` map, `$ref` is a field name (JSONSchemaProps has one), not a reference.
    if (key === '$ref' && !inPropertyMap) {
      const at = jsonPath([...path, key]);
      if (typeof value !== 'string') throw new GenerateError(file, at, 'expected $ref to be a string');
      if (!value.startsWith(SCHEMA_REF_PREFIX)) throw new GenerateError(file, at, `unsupported $ref ${JSON.stringify(value)} (only ${SCHEMA_REF_PREFIX}… is supported)`);
      const target = value.slice(SCHEMA_REF_PREFIX.length);
      if (!Object.hasOwn(schemas, target)) throw new GenerateError(file, at, `$ref to unknown schema ${JSON.stringify(target)}`);
      continue;
    }
    checkRefs(value, [...path, key], key === 'properties' && !inPropertyMap, schemas, file);
  }
}

/** JSON with sorted keys, so equal definitions compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const GVK = 'x-kubernetes-group-version-kind';

function gvkKey(g: GroupVersionKind): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

/**
 * Merges `components.schemas` of all documents. A name defined in several documents must
 * have the same definition everywhere; only the GVK list differs (each document lists the
 * group-versions it serves, e.g. for meta.v1.DeleteOptions), so that list is unioned.
 */
function mergeSchemas(documents: LoadedDocument[]): Record<string, Schema> {
  const merged = new Map<string, { schema: Schema; file: string; body: string; gvks: Map<string, GroupVersionKind> }>();
  for (const { file, doc } of documents) {
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      const { [GVK]: gvks, ...rest } = schema;
      const body = canonical(rest);
      let entry = merged.get(name);
      if (!entry) {
        entry = { schema: rest, file, body, gvks: new Map() };
        merged.set(name, entry);
      } else if (entry.body !== body) {
        throw new GenerateError(file, jsonPath(['components', 'schemas', name]), `differs from the definition of the same name in ${entry.file}`);
      }
      if (gvks !== undefined) {
        if (!Array.isArray(gvks)) throw new GenerateError(file, jsonPath(['components', 'schemas', name, GVK]), 'expected an array');
        for (const g of gvks) entry.gvks.set(gvkKey(g), { group: g.group, version: g.version, kind: g.kind });
      }
    }
  }
  const out: Record<string, Schema> = {};
  for (const name of [...merged.keys()].sort()) {
    const e = merged.get(name)!;
    const gvks = [...e.gvks.keys()].sort().map((k) => e.gvks.get(k)!);
    out[name] = gvks.length > 0 ? { ...e.schema, [GVK]: gvks } : e.schema;
  }
  return out;
}

/** Loads and checks `<inputDir>/source.json` and every document it lists. */
export function loadSpecs(inputDir: string): LoadedSpecs {
  const source = readSource(inputDir);
  const docDir = join(inputDir, DOC_DIR);
  const present = existsSync(docDir) ? readdirSync(docDir).filter((f) => f.endsWith('.json')) : [];
  for (const f of present) {
    if (!source.files.includes(f)) {
      throw new GenerateError(`${DOC_DIR}/${f}`, '$', `not listed in ${SOURCE_FILE}; run \`npm run openapi:update\` rather than adding documents by hand`);
    }
  }
  const documents: LoadedDocument[] = [];
  for (const f of source.files) {
    const file = `${DOC_DIR}/${f}`;
    const path = join(docDir, f);
    if (!existsSync(path)) throw new GenerateError(file, '$', `missing: ${SOURCE_FILE} lists it but it is not in ${docDir}`);
    documents.push({ file, doc: checkDocument(parseJSON(readFileSync(path, 'utf8'), file), file) });
  }
  return { source, documents, schemas: mergeSchemas(documents) };
}
