/**
 * The text of `_support.ts`, written once into every output directory: what the generated
 * validators share — ObjectMeta's schema (the API server checks metadata of every custom
 * resource), RFC 3339 timestamps, the uniqueness rules of `x-kubernetes-list-type` set/map,
 * and a checker for the value-only `oneOf`/`anyOf`/`allOf`/`not` of structural schemas.
 * It imports only zod, so the generated directory stands on its own.
 */
export const SUPPORT_FILE = '_support.ts';

export const SUPPORT_SOURCE = `import * as z from 'zod';

/** A value-only schema inside oneOf/anyOf/allOf/not (structural schemas allow no types there). */
export interface Junction {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly required?: readonly string[];
  readonly properties?: { readonly [key: string]: Junction };
  readonly items?: Junction;
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly allOf?: readonly Junction[];
  readonly anyOf?: readonly Junction[];
  readonly oneOf?: readonly Junction[];
  readonly not?: Junction;
}

/** RFC 3339 date-time as the API server's format check accepts it (seconds and zone optional, as in go-openapi's strfmt). */
export const DATE_TIME = /^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}:?\\d{2})?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const runes = (s: string): number => [...s].length;

function typeOk(type: string | undefined, v: unknown): boolean {
  switch (type) {
    case undefined: return true;
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

/** The formats the generated validators check (others are documentation, as for the API server's unknown formats). */
const FORMATS: Readonly<Record<string, z.ZodType>> = { ipv4: z.ipv4(), ipv6: z.ipv6(), 'date-time': z.string().regex(DATE_TIME), byte: z.base64() };

const patterns = new Map<string, RegExp>();

/** Whether a value satisfies a value-only schema. */
export function matches(s: Junction, v: unknown): boolean {
  if (!typeOk(s.type, v)) return false;
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) return false;
  if (typeof v === 'string') {
    if (s.pattern !== undefined) {
      let re = patterns.get(s.pattern);
      if (!re) patterns.set(s.pattern, (re = new RegExp(s.pattern, 'u')));
      if (!re.test(v)) return false;
    }
    const format = s.format === undefined ? undefined : FORMATS[s.format];
    if (format && !format.safeParse(v).success) return false;
    if (s.minLength !== undefined && runes(v) < s.minLength) return false;
    if (s.maxLength !== undefined && runes(v) > s.maxLength) return false;
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) return false;
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) return false;
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) return false;
    if (s.maxItems !== undefined && v.length > s.maxItems) return false;
    if (s.items && !v.every((x) => matches(s.items!, x))) return false;
  }
  if (isObject(v)) {
    const n = Object.keys(v).length;
    if (s.minProperties !== undefined && n < s.minProperties) return false;
    if (s.maxProperties !== undefined && n > s.maxProperties) return false;
    if (s.required && !s.required.every((k) => Object.hasOwn(v, k))) return false;
    for (const [k, sub] of Object.entries(s.properties ?? {})) if (Object.hasOwn(v, k) && !matches(sub, v[k])) return false;
  }
  if (s.allOf && !s.allOf.every((b) => matches(b, v))) return false;
  if (s.anyOf && !s.anyOf.some((b) => matches(b, v))) return false;
  if (s.oneOf && s.oneOf.filter((b) => matches(b, v)).length !== 1) return false;
  if (s.not && matches(s.not, v)) return false;
  return true;
}

/** A refinement for a node's oneOf/anyOf/allOf/not, with the API server's wording. */
export function junction(s: Junction & { readonly defaults?: Readonly<Record<string, unknown>> }): (v: unknown, ctx: z.RefinementCtx) => void {
  return (given, ctx) => {
    // The API server fills in defaults before it validates: so must the check.
    const v = s.defaults && isObject(given) ? { ...s.defaults, ...given } : given;
    if (s.oneOf && s.oneOf.filter((b) => matches(b, v)).length !== 1) ctx.addIssue({ code: 'custom', message: 'must validate one and only one schema (oneOf)' });
    if (s.anyOf && !s.anyOf.some((b) => matches(b, v))) ctx.addIssue({ code: 'custom', message: 'must validate at least one schema (anyOf)' });
    if (s.allOf && !s.allOf.every((b) => matches(b, v))) ctx.addIssue({ code: 'custom', message: 'must validate all the schemas (allOf)' });
    if (s.not && matches(s.not, v)) ctx.addIssue({ code: 'custom', message: 'must not validate the schema (not)' });
  };
}

/** x-kubernetes-list-type: set (no two equal items) or map (no two items with the same keys). */
export function unique(keys?: readonly string[]): (v: readonly unknown[], ctx: z.RefinementCtx) => void {
  return (items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const id = JSON.stringify(keys ? keys.map((k) => (isObject(item) ? item[k] : undefined)) : item);
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [index], message: \`Duplicate value: \${keys ? \`\${keys.join(', ')} \` : ''}\${id}\` });
      seen.add(id);
    });
  };
}

/** minProperties/maxProperties of an object or map. */
export function propertyCount(min: number | undefined, max: number | undefined): (v: object, ctx: z.RefinementCtx) => void {
  return (v, ctx) => {
    const n = Object.keys(v).length;
    if (min !== undefined && n < min) ctx.addIssue({ code: 'custom', message: \`should have at least \${min} properties\` });
    if (max !== undefined && n > max) ctx.addIssue({ code: 'custom', message: \`should have at most \${max} properties\` });
  };
}

/** Lengths in code points, as the API server counts (Go runes), not UTF-16 units. */
export function length(min: number | undefined, max: number | undefined): (v: string, ctx: z.RefinementCtx) => void {
  return (v, ctx) => {
    const n = runes(v);
    if (min !== undefined && n < min) ctx.addIssue({ code: 'custom', message: \`should be at least \${min} chars long\` });
    if (max !== undefined && n > max) ctx.addIssue({ code: 'custom', message: \`may not be more than \${max} chars long\` });
  };
}

const built: { strict?: z.ZodType; loose?: z.ZodType } = {};

/**
 * metav1.ObjectMeta: checked by the API server on every custom resource (unknown fields too,
 * under strict field validation). \`fields\` replaces the schema of \`name\`/\`generateName\`,
 * the two metadata fields a CRD may constrain.
 */
export function objectMeta(strict: boolean, fields?: { readonly name?: z.ZodType; readonly generateName?: z.ZodType }): z.ZodType {
  const mode = strict ? 'strict' : 'loose';
  const cached = built[mode];
  if (cached && !fields) return cached;
  const obj = <S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S> => (strict ? z.strictObject(shape) : z.looseObject(shape)) as unknown as z.ZodObject<S>;
  const strings = z.record(z.string(), z.string());
  const ownerReference = obj({
    apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string(),
    blockOwnerDeletion: z.nullish(z.boolean()), controller: z.nullish(z.boolean()),
  });
  const managedFields = obj({
    apiVersion: z.nullish(z.string()), fieldsType: z.nullish(z.string()), fieldsV1: z.nullish(z.looseObject({})), manager: z.nullish(z.string()),
    operation: z.nullish(z.string()), subresource: z.nullish(z.string()), time: z.nullish(z.string()),
  });
  const meta = obj({
    annotations: z.nullish(strings), creationTimestamp: z.nullish(z.string()), deletionGracePeriodSeconds: z.nullish(z.int()),
    deletionTimestamp: z.nullish(z.string()), finalizers: z.nullish(z.array(z.string())), generateName: fields?.generateName ?? z.nullish(z.string()),
    generation: z.nullish(z.int()), labels: z.nullish(strings), managedFields: z.nullish(z.array(managedFields)), name: fields?.name ?? z.nullish(z.string()),
    namespace: z.nullish(z.string()), ownerReferences: z.nullish(z.array(ownerReference)), resourceVersion: z.nullish(z.string()),
    selfLink: z.nullish(z.string()), uid: z.nullish(z.string()),
  });
  if (!fields) built[mode] = meta;
  return meta;
}
`;
