/** Minimal well-formed objects built from the OpenAPI definitions: every required field, nothing else. */
import { apiVersionOf } from '../../src/core/resource-info.js';
import { QUANTITY, refName, unwrapAllOf } from '../../scripts/generate/normalize.js';
import type { GroupVersionKind, Schema } from '../../scripts/generate/spec.js';

export interface KindSample {
  name: string;
  gvk: GroupVersionKind;
  object: Record<string, unknown>;
  /** Field names of the object and of its metadata, for typo tests. */
  topKeys: string[];
  metadataKeys: string[];
}

function valueOf(raw: Schema, schemas: Record<string, Schema>, seen: ReadonlySet<string>): unknown {
  const s = unwrapAllOf(raw);
  const ref = refName(s);
  if (ref !== undefined) {
    if (ref === QUANTITY) return '250m';
    if (seen.has(ref)) throw new Error(`required fields form a cycle through ${ref}`);
    return valueOf(schemas[ref]!, schemas, new Set([...seen, ref]));
  }
  const alts = s.oneOf ?? s.anyOf;
  if (alts) return valueOf(alts[0]!, schemas, seen);
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'string':
      return s.format === 'byte' ? 'c2FtcGxl' : 'sample';
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case undefined:
      if (!s.properties) return {};
    // falls through
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = valueOf(s.properties![key]!, schemas, seen);
      return out;
    }
    default:
      throw new Error(`unexpected type ${s.type}`);
  }
}

function propertiesOf(raw: Schema | undefined, schemas: Record<string, Schema>): Record<string, Schema> {
  if (!raw) return {};
  const s = unwrapAllOf(raw);
  const ref = refName(s);
  return ref ? propertiesOf(schemas[ref], schemas) : (s.properties ?? {});
}

/** One sample per definition that has a kind (x-kubernetes-group-version-kind), with its first GVK. */
export function kindSamples(schemas: Record<string, Schema>): KindSample[] {
  const out: KindSample[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const gvk = schema['x-kubernetes-group-version-kind']?.[0];
    if (!gvk) continue;
    const object = valueOf(schema, schemas, new Set([name])) as Record<string, unknown>;
    const props = schema.properties ?? {};
    if (props['apiVersion']) object['apiVersion'] = apiVersionOf(gvk);
    if (props['kind']) object['kind'] = gvk.kind;
    const metadataKeys = Object.keys(propertiesOf(props['metadata'], schemas));
    if (metadataKeys.includes('name')) object['metadata'] = { ...(object['metadata'] as object | undefined), name: 'sample' };
    out.push({ name, gvk, object, topKeys: Object.keys(props), metadataKeys });
  }
  return out;
}

/** A plausible typo of a field name: two neighbouring letters swapped. */
export function typoOf(key: string, taken: readonly string[]): string {
  for (let i = 1; i + 1 < key.length; i++) {
    const t = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
    if (t !== key && !taken.includes(t)) return t;
  }
  return `${key}x`;
}
