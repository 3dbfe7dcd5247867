/**
 * One CRD version → one TypeScript module: an interface per object in the schema (required
 * fields kept required, descriptions as doc comments), strict and loose zod validators built
 * from the same schema walk, and the resource spec that `kube.customResource(...)` takes.
 *
 * How the schema maps (structural schemas, apiextensions.k8s.io/v1):
 * - `x-kubernetes-int-or-string` → `number | string`; `nullable` → `| null`; enums → literal unions.
 * - `additionalProperties` → an index signature; `x-kubernetes-preserve-unknown-fields` → the
 *   known fields plus `[key: string]: unknown` (loose in both modes: the server keeps them).
 * - `x-kubernetes-embedded-resource` → `apiVersion`, `kind` (required) and `metadata`.
 * - A required field with a `default` is optional: the API server fills it in before it validates.
 * - Optional fields accept `null` in the validators: the server drops such nulls (pruning).
 * - `x-kubernetes-validations` (CEL) are documented on the field, never checked here.
 */
import type { Crd, CrdVersion, JsonSchema } from './crd.js';
import { CrdGenError, jsonPath } from './errors.js';
import { assignNames, isNamedObject, kindIdent, lowerCamel, propKey, sortedKeys } from './names.js';
import { PatternError, translatePattern } from './pattern.js';

type Path = (string | number)[];

const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object']);
const JUNCTORS = ['oneOf', 'anyOf', 'allOf', 'not'] as const;
/** Value names used by the generated build function; the zod constants must not take them. */
const RESERVED = new Set(['z', 's', 'obj', 'strict', 'build', 'kf']);

/** What the generated module exports, for the clash check of the group/version index. */
export interface KindModule {
  readonly file: string;
  readonly source: string;
  readonly exports: readonly string[];
}

function doc(lines: readonly string[], indent: string): string {
  const body = lines.flatMap((l) => l.split('\n')).map((l) => l.replace(/\*\//g, '*\\/').trimEnd());
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  if (body.length === 0) return '';
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((l) => (l === '' ? `${indent} *` : `${indent} * ${l}`)).join('\n')}\n${indent} */\n`;
}

function docLines(s: JsonSchema): string[] {
  const out: string[] = [];
  if (s.description) out.push(s.description);
  const notes: string[] = [];
  if (s.format) notes.push(`Format: ${s.format}.`);
  const lt = s['x-kubernetes-list-type'];
  if (lt) notes.push(`List type: ${lt}${lt === 'map' && s['x-kubernetes-list-map-keys'] ? ` (keys: ${s['x-kubernetes-list-map-keys'].join(', ')})` : ''}.`);
  if (s['x-kubernetes-map-type']) notes.push(`Map type: ${s['x-kubernetes-map-type']}.`);
  for (const v of s['x-kubernetes-validations'] ?? []) {
    notes.push(`Checked by the API server only (CEL): \`${v.rule}\`${v.message ? ` — ${v.message}` : v.messageExpression ? ` — message: \`${v.messageExpression}\`` : ''}`);
  }
  if (s.default !== undefined) notes.push(`@defaultValue ${JSON.stringify(s.default)}`);
  if (notes.length > 0 && out.length > 0) out.push('');
  return [...out, ...notes];
}

type Shape = 'intOrString' | 'enum' | 'named' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'map' | 'free' | 'empty' | 'unknown';

export class KindEmitter {
  private readonly names: Map<JsonSchema, string>;
  private readonly root: string;
  private readonly apiVersion: string;
  /** The version's schema without apiVersion, kind and metadata: the generator writes those itself. */
  private readonly schema: JsonSchema;

  constructor(private readonly crd: Crd, private readonly version: CrdVersion) {
    this.root = kindIdent(crd.kind);
    this.apiVersion = `${crd.group}/${version.name}`;
    if (RESERVED.has(this.root)) this.fail([], 'Unsupported', `the kind ${JSON.stringify(crd.kind)} is a name the generated code uses itself`);
    const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = version.schema.properties ?? {};
    this.schema = { ...version.schema, properties: rest };
    this.names = assignNames(this.schema, this.root, RESERVED);
    // The root is always an interface, even when the schema lists no fields.
    this.names.set(this.schema, this.root);
  }

  private fail(path: Path, reason: 'InvalidCrd' | 'Unsupported', detail: string): never {
    throw new CrdGenError(reason, this.crd.source, jsonPath([...this.version.schemaPath, ...path]), detail);
  }

  private shape(s: JsonSchema, path: Path): Shape {
    if ('$ref' in s) this.fail(path, 'InvalidCrd', '$ref is not allowed in a CRD schema: inline the definition');
    if (s.type !== undefined && !TYPES.has(s.type)) this.fail([...path, 'type'], 'InvalidCrd', `unknown type ${JSON.stringify(s.type)} (expected one of ${[...TYPES].join(', ')})`);
    if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
      this.fail(path, 'InvalidCrd', 'properties and additionalProperties are mutually exclusive in a structural schema');
    }
    if (s.uniqueItems === true) this.fail([...path, 'uniqueItems'], 'InvalidCrd', 'uniqueItems is forbidden in CRD schemas: use x-kubernetes-list-type: set');
    if (s['x-kubernetes-int-or-string'] === true) return 'intOrString';
    if (s.enum) return 'enum';
    if (this.names.has(s) || isNamedObject(s)) return 'named';
    switch (s.type) {
      case 'string': case 'integer': case 'number': case 'boolean': case 'array':
        return s.type;
      case 'object':
        if (typeof s.additionalProperties === 'object') return 'map';
        return s.additionalProperties === true || s['x-kubernetes-preserve-unknown-fields'] === true ? 'free' : 'empty';
      default:
        return typeof s.additionalProperties === 'object' ? 'map' : 'unknown';
    }
  }

  /** Whether a field must be present: listed in `required` and without a default the server would fill in. */
  private static isRequired(parent: JsonSchema, key: string): boolean {
    return (parent.required ?? []).includes(key) && parent.properties?.[key]?.default === undefined;
  }

  // ---- TypeScript types ----

  private typeOf(s: JsonSchema, path: Path): string {
    const t = this.typeInner(s, path);
    return s.nullable === true ? `${t} | null` : t;
  }

  private typeInner(s: JsonSchema, path: Path): string {
    switch (this.shape(s, path)) {
      case 'intOrString': return 'number | string';
      case 'enum': return s.enum!.map((v) => JSON.stringify(v)).join(' | ');
      case 'named': return this.names.get(s)!;
      case 'string': return 'string';
      case 'integer': case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'array': {
        if (!s.items) return 'unknown[]';
        const item = this.typeOf(s.items, [...path, 'items']);
        return /^[\w.]+$/.test(item) ? `${item}[]` : `(${item})[]`;
      }
      case 'map': return `{ [key: string]: ${this.typeOf(s.additionalProperties as JsonSchema, [...path, 'additionalProperties'])} }`;
      case 'free': return '{ [key: string]: unknown }';
      case 'empty': return '{ [key: string]: never }';
      case 'unknown': return 'unknown';
    }
  }

  private interfaceOf(s: JsonSchema, path: Path): string {
    const name = this.names.get(s)!;
    const isRoot = s === this.schema;
    const lines: string[] = [];
    const head = docLines(s);
    if (isRoot) {
      head.push(...(head.length > 0 ? [''] : []), `${this.apiVersion} ${this.crd.kind} (${this.crd.namespaced ? 'namespaced' : 'cluster-scoped'}), from the CustomResourceDefinition ${this.crd.name}.`);
      if (this.version.deprecated) head.push(`@deprecated ${this.version.deprecationWarning ?? `${this.apiVersion} ${this.crd.kind} is deprecated`}`);
    }
    const fields: string[] = [];
    const embedded = s['x-kubernetes-embedded-resource'] === true;
    const props = s.properties ?? {};
    const special: Record<string, string> = isRoot
      ? { apiVersion: `${JSON.stringify(this.apiVersion)}`, kind: JSON.stringify(this.crd.kind), metadata: 'kf.ObjectMeta' }
      : embedded ? { apiVersion: 'string', kind: 'string', metadata: 'kf.ObjectMeta' } : {};
    const keys = [...new Set([...Object.keys(special), ...sortedKeys(s)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      const sub = props[key];
      // At the root only apiVersion/kind/metadata are optional; a schema's `required: [spec]` is kept.
      const required = isRoot ? !(key in special) && KindEmitter.isRequired(s, key) : embedded && (key === 'apiVersion' || key === 'kind') ? true : KindEmitter.isRequired(s, key);
      const type = special[key] ?? this.typeOf(sub!, [...path, 'properties', key]);
      fields.push(`${doc(sub ? docLines(sub) : [], '  ')}  ${propKey(key)}${required ? '' : '?'}: ${type};`);
    }
    if (s['x-kubernetes-preserve-unknown-fields'] === true) fields.push('  /** Fields the schema does not list are kept (x-kubernetes-preserve-unknown-fields). */\n  [key: string]: unknown;');
    lines.push(`${doc(head, '')}export interface ${name} {\n${fields.join('\n')}\n}`);
    return lines.join('\n');
  }

  // ---- zod validators ----

  private pattern(p: string, path: Path): string {
    try {
      return `new RegExp(${JSON.stringify(translatePattern(p))}, 'u')`;
    } catch (err) {
      if (err instanceof PatternError) this.fail([...path, 'pattern'], 'Unsupported', `pattern ${JSON.stringify(p)} cannot be checked in JavaScript: ${err.message}`);
      throw err;
    }
  }

  /** The value-only junctors of a node as a JSON literal for `s.junction`, patterns translated. */
  private junctions(s: JsonSchema, path: Path): string | undefined {
    const picked: Record<string, unknown> = {};
    for (const j of JUNCTORS) {
      const v = s[j];
      if (v === undefined) continue;
      // `anyOf: [{type: integer}, {type: string}]` beside int-or-string says what the union already checks.
      if (j === 'anyOf' && s['x-kubernetes-int-or-string'] === true && Array.isArray(v) && v.every((b) => Object.keys(b).every((k) => k === 'type'))) continue;
      picked[j] = v;
    }
    if (Object.keys(picked).length === 0) return undefined;
    const clean = (n: unknown, at: Path): unknown => {
      if (Array.isArray(n)) return n.map((x, i) => clean(x, [...at, i]));
      if (n === null || typeof n !== 'object') return n;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(n).sort()) {
        const v = (n as Record<string, unknown>)[k];
        if (k === 'description' || k === 'x-kubernetes-validations' || k === 'default') continue;
        if (k === 'pattern' && typeof v === 'string') {
          try { out[k] = translatePattern(v); } catch (err) {
            if (err instanceof PatternError) this.fail([...at, k], 'Unsupported', `pattern ${JSON.stringify(v)} cannot be checked in JavaScript: ${err.message}`);
            throw err;
          }
        } else out[k] = clean(v, [...at, k]);
      }
      return out;
    };
    const defaults: Record<string, unknown> = {};
    for (const key of sortedKeys(s)) if (s.properties![key]!.default !== undefined) defaults[key] = s.properties![key]!.default;
    const literal = clean(picked, path) as Record<string, unknown>;
    if (Object.keys(defaults).length > 0) literal.defaults = defaults;
    return JSON.stringify(literal);
  }

  private number(s: JsonSchema, base: string): string {
    let c = base;
    if (s.minimum !== undefined) c += s.exclusiveMinimum ? `.gt(${s.minimum})` : `.gte(${s.minimum})`;
    if (s.maximum !== undefined) c += s.exclusiveMaximum ? `.lt(${s.maximum})` : `.lte(${s.maximum})`;
    if (s.multipleOf !== undefined) c += `.multipleOf(${s.multipleOf})`;
    return c;
  }

  private string(s: JsonSchema, path: Path): string {
    let c = 'z.string()';
    switch (s.format) {
      case 'date-time': c += '.regex(s.DATE_TIME)'; break;
      case 'byte': c = 'z.base64()'; break;
      case 'ipv4': c = 'z.ipv4()'; break;
      case 'ipv6': c = 'z.ipv6()'; break;
    }
    if (s.pattern !== undefined) c += `.regex(${this.pattern(s.pattern, path)})`;
    if (s.minLength !== undefined || s.maxLength !== undefined) c += `.superRefine(s.length(${s.minLength ?? 'undefined'}, ${s.maxLength ?? 'undefined'}))`;
    return c;
  }

  private zodOf(s: JsonSchema, path: Path): string {
    let c = this.zodInner(s, path);
    const j = this.junctions(s, path);
    if (j !== undefined) c += `.superRefine(s.junction(${j}))`;
    return s.nullable === true ? `z.nullable(${c})` : c;
  }

  private zodInner(s: JsonSchema, path: Path): string {
    switch (this.shape(s, path)) {
      case 'intOrString': {
        const str = this.string({ ...s, format: undefined }, path);
        return `z.union([${this.number(s, 'z.int()')}, ${str}])`;
      }
      case 'enum': {
        const vs = s.enum!;
        if (vs.every((v) => typeof v === 'string')) return `z.enum([${vs.map((v) => JSON.stringify(v)).join(', ')}])`;
        return vs.length === 1 ? `z.literal(${JSON.stringify(vs[0])})` : `z.union([${vs.map((v) => `z.literal(${JSON.stringify(v)})`).join(', ')}])`;
      }
      case 'named': return this.names.get(s)!;
      case 'string': return this.string(s, path);
      case 'integer': return this.number(s, 'z.int()');
      case 'number': return this.number(s, 'z.number()');
      case 'boolean': return 'z.boolean()';
      case 'array': {
        let c = `z.array(${s.items ? this.zodOf(s.items, [...path, 'items']) : 'z.unknown()'})`;
        if (s.minItems !== undefined) c += `.min(${s.minItems})`;
        if (s.maxItems !== undefined) c += `.max(${s.maxItems})`;
        const lt = s['x-kubernetes-list-type'];
        if (lt === 'set') c += '.superRefine(s.unique())';
        if (lt === 'map') c += `.superRefine(s.unique(${JSON.stringify(s['x-kubernetes-list-map-keys'] ?? [])}))`;
        return c;
      }
      case 'map': return this.counted(s, `z.record(z.string(), ${this.zodOf(s.additionalProperties as JsonSchema, [...path, 'additionalProperties'])})`);
      case 'free': return this.counted(s, 'z.record(z.string(), z.unknown())');
      case 'empty': return this.counted(s, 'obj({})');
      case 'unknown': return 'z.unknown()';
    }
  }

  private counted(s: JsonSchema, c: string): string {
    return s.minProperties !== undefined || s.maxProperties !== undefined ? `${c}.superRefine(s.propertyCount(${s.minProperties ?? 'undefined'}, ${s.maxProperties ?? 'undefined'}))` : c;
  }

  private objectSchema(s: JsonSchema, path: Path): string {
    const name = this.names.get(s)!;
    const isRoot = s === this.schema;
    const embedded = s['x-kubernetes-embedded-resource'] === true;
    const props = s.properties ?? {};
    const fields: string[] = [];
    const special: Record<string, string> = isRoot
      ? { apiVersion: `z.optional(z.literal(${JSON.stringify(this.apiVersion)}))`, kind: `z.optional(z.literal(${JSON.stringify(this.crd.kind)}))`, metadata: `z.optional(${this.metadata()})` }
      : embedded ? { apiVersion: 'z.string().min(1)', kind: 'z.string().min(1)', metadata: 'z.nullish(s.objectMeta(strict))' } : {};
    const keys = [...new Set([...Object.keys(special), ...sortedKeys(s)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      let c = special[key];
      if (c === undefined) {
        const sub = props[key]!;
        const at = [...path, 'properties', key];
        if (KindEmitter.isRequired(s, key)) c = this.zodOf(sub, at);
        else {
          const inner = this.zodInner(sub, at);
          const j = this.junctions(sub, at);
          c = `z.nullish(${inner}${j === undefined ? '' : `.superRefine(s.junction(${j}))`})`;
        }
      }
      fields.push(`    ${propKey(key)}: ${c},`);
    }
    const make = s['x-kubernetes-preserve-unknown-fields'] === true ? 'z.looseObject' : 'obj';
    return `  const ${name} = ${this.counted(s, `${make}({\n${fields.join('\n')}\n  })`)};`;
  }

  /**
   * ObjectMeta's schema; a CRD may restrict `metadata.name` and `metadata.generateName` (the
   * only metadata fields it may constrain), and the API server enforces that.
   */
  private metadata(): string {
    const meta = this.version.schema.properties?.metadata?.properties ?? {};
    const extra = (['generateName', 'name'] as const).filter((k) => meta[k] !== undefined)
      .map((k) => `${k}: z.nullish(${this.string(meta[k]!, ['properties', 'metadata', 'properties', k])})`);
    return extra.length === 0 ? 's.objectMeta(strict)' : `s.objectMeta(strict, { ${extra.join(', ')} })`;
  }

  /** Every named object with its JSONPath, parents before children. */
  private namedNodes(): { node: JsonSchema; path: Path }[] {
    const out: { node: JsonSchema; path: Path }[] = [];
    const queue: { node: JsonSchema; path: Path }[] = [{ node: this.schema, path: [] }];
    while (queue.length > 0) {
      const { node, path } = queue.shift()!;
      if (this.names.has(node)) out.push({ node, path });
      for (const key of sortedKeys(node)) queue.push({ node: node.properties![key]!, path: [...path, 'properties', key] });
      if (node.items) queue.push({ node: node.items, path: [...path, 'items'] });
      if (typeof node.additionalProperties === 'object') queue.push({ node: node.additionalProperties, path: [...path, 'additionalProperties'] });
    }
    return out;
  }

  /** The module's text (without the file header) and what it exports. */
  emit(): { body: string; exports: string[] } {
    const nodes = this.namedNodes();
    const interfaces = nodes.map(({ node, path }) => this.interfaceOf(node, path));
    const schemas = [...nodes].reverse().map(({ node, path }) => this.objectSchema(node, path));
    const K = this.root;
    const schemasName = `${lowerCamel(K)}Schemas`;
    const subresources = `[${this.version.subresources.map((x) => JSON.stringify(x)).join(', ')}]`;
    const body = `import * as z from 'zod';
import type * as kf from 'kubefluent';
import * as s from '../../_support.js';

${interfaces.join('\n\n')}

/** Builds the validator of one mode; see {@link ${schemasName}}. */
function build(strict: boolean): z.ZodType<${K}> {
  const obj = <S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S> => (strict ? z.strictObject(shape) : z.looseObject(shape)) as unknown as z.ZodObject<S>;
${schemas.join('\n')}
  return ${K} as unknown as z.ZodType<${K}>;
}

let strict_: z.ZodType<${K}> | undefined;
let loose_: z.ZodType<${K}> | undefined;

/**
 * Validators for ${this.apiVersion} ${this.crd.kind} (zod, usable anywhere a Standard Schema is), each built on first use.
 * \`strict\`: unknown fields are errors, as \`kubectl apply --validate=strict\` reports them.
 * \`loose\`: unknown fields pass (a newer CRD version may have added them). Both check types,
 * required fields, enums, patterns, lengths, bounds, formats and list uniqueness; CEL rules
 * (x-kubernetes-validations) are left to the API server. Values are never changed (no defaults applied).
 */
export const ${schemasName}: { readonly strict: z.ZodType<${K}>; readonly loose: z.ZodType<${K}> } = {
  get strict() { return (strict_ ??= build(true)); },
  get loose() { return (loose_ ??= build(false)); },
};

/**
 * The resource spec: \`kube.customResource(${K})\` gives a typed handle${this.crd.namespaced ? ' (namespaced: \`.namespace(ns)\`)' : ''} whose writes are checked by the strict validator.
 * @example const ${lowerCamel(K)}s = kube.customResource(${K})${this.crd.namespaced ? ".namespace('default')" : ''};
 */
export const ${K} = {
  group: ${JSON.stringify(this.crd.group)},
  version: ${JSON.stringify(this.version.name)},
  kind: ${JSON.stringify(this.crd.kind)},
  plural: ${JSON.stringify(this.crd.plural)},
  singular: ${JSON.stringify(this.crd.singular)},
  namespaced: ${this.crd.namespaced},
  subresources: ${subresources},
  get schema(): z.ZodType<${K}> { return ${schemasName}.strict; },
} as const;
`;
    return { body, exports: [...new Set([...nodes.map((n) => this.names.get(n.node)!), schemasName])].sort() };
  }
}
