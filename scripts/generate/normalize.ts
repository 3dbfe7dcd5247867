/**
 * Rewrites Kubernetes' extensions into plain OpenAPI before either emitter sees them, so
 * the TypeScript types (openapi-typescript) and the zod schemas (ours) read the same thing
 * and cannot drift apart.
 */
import type { Schema } from './spec.js';
import { SCHEMA_REF_PREFIX } from './spec.js';

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * `type: object` definitions without properties that hold arbitrary JSON: they have custom
 * (un)marshalers in apimachinery. Other property-less objects are empty Go structs (marker
 * types such as scheduling's AllDisruptionMode) where any key is a typo.
 */
export const FREE_FORM_OBJECTS: ReadonlySet<string> = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
]);

const INT_OR_STRING: Schema[] = [{ type: 'integer' }, { type: 'string' }];

function normalizeNode(s: Schema, freeForm: boolean): Schema {
  const out: Schema = { ...s };
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, normalizeNode(v, false)]));
  }
  if (s.items) out.items = normalizeNode(s.items, false);
  if (typeof s.additionalProperties === 'object') out.additionalProperties = normalizeNode(s.additionalProperties, false);
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const list = s[key];
    if (list) out[key] = list.map((v) => normalizeNode(v, false));
  }

  // int-or-string: an integer or a string (IntOrString carries the oneOf already; CRD-style
  // schemas only say `x-kubernetes-int-or-string: true` or `format: int-or-string`).
  if ((s.format === 'int-or-string' || s['x-kubernetes-int-or-string'] === true) && !s.oneOf && !s.anyOf) {
    delete out.type;
    out.oneOf = INT_OR_STRING;
  }
  // An embedded resource is a full object: apiVersion, kind and metadata are always allowed.
  if (s['x-kubernetes-embedded-resource'] === true) {
    out.type = 'object';
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: SCHEMA_REF_PREFIX + OBJECT_META },
      ...out.properties,
    };
  }
  // Unknown fields are kept: model them as an open map of unknown values.
  if ((s['x-kubernetes-preserve-unknown-fields'] === true || freeForm) && out.additionalProperties === undefined) {
    if (out.type === undefined && !out.oneOf && !out.anyOf && !out.allOf && !out.$ref) out.type = 'object';
    if (out.type === 'object') out.additionalProperties = {};
  }
  return out;
}

/** Returns the definitions with k8s extensions rewritten (see the module comment); keys keep their order. */
export function normalizeSchemas(schemas: Record<string, Schema>): Record<string, Schema> {
  return Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, normalizeNode(s, FREE_FORM_OBJECTS.has(name))]));
}

/** Follows `allOf: [{$ref}]` wrappers (the v3 spec wraps refs to attach defaults/descriptions). */
export function unwrapAllOf(s: Schema): Schema {
  const only = s.allOf?.length === 1 ? s.allOf[0] : undefined;
  if (only && s.type === undefined && s.properties === undefined && s.oneOf === undefined && s.anyOf === undefined) {
    return unwrapAllOf(only);
  }
  return s;
}

/** The definition name a schema refers to, or undefined. */
export function refName(s: Schema): string | undefined {
  return s.$ref?.startsWith(SCHEMA_REF_PREFIX) ? s.$ref.slice(SCHEMA_REF_PREFIX.length) : undefined;
}
