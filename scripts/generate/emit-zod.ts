/**
 * Emits generated/schemas.ts: a zod schema for every definition.
 *
 * Why our own emitter: no maintained OpenAPI→zod generator handles Kubernetes' extensions
 * (format int-or-string, x-kubernetes-preserve-unknown-fields, x-kubernetes-embedded-resource),
 * the Quantity grammar, `null` on optional fields (servers send `creationTimestamp: null`),
 * refusing to apply defaults (we validate, we never mutate), and two strictness modes from
 * one body of code. The input is the normalized schema (normalize.ts), the same one the
 * TypeScript types are generated from.
 *
 * Shape of the output: one `makeSchemas(strict)` factory holding a `const` per definition;
 * every property that refers to another definition is a getter (zod 4's recursion idiom),
 * so definitions resolve lazily, in any order, and self-reference (JSONSchemaProps) works.
 * The zod type of every definition is spelled out in a `Schemas` interface (see there).
 */
import { GenerateError, jsonPath } from './errors.js';
import { defIdent, propKey } from './naming.js';
import { QUANTITY, refName, unwrapAllOf } from './normalize.js';
import type { Schema } from './spec.js';
import { apiVersionOf } from '../../src/core/resource-info.js';

/** A zod expression, its zod type, and the definitions it reaches without an object boundary. */
interface Expr {
  code: string;
  type: string;
  refs: Set<string>;
}

const leaf = (code: string, type: string): Expr => ({ code, type, refs: new Set() });

function wrap(inner: Expr, code: (c: string) => string, type: (t: string) => string): Expr {
  return { code: code(inner.code), type: type(inner.type), refs: inner.refs };
}

function union(parts: Expr[]): Expr {
  const refs = new Set<string>();
  for (const p of parts) for (const r of p.refs) refs.add(r);
  return { code: `z.union([${parts.map((p) => p.code).join(', ')}])`, type: `z.ZodUnion<[${parts.map((p) => p.type).join(', ')}]>`, refs };
}

function isIntOrString(alts: Schema[]): boolean {
  const types = alts.map((a) => a.type).sort();
  return alts.length === 2 && types[0] === 'integer' && types[1] === 'string';
}

const schemaType = (name: string): string => `Schemas[${JSON.stringify(name)}]`;
const UNKNOWN = leaf('z.unknown()', 'z.ZodUnknown');

class ZodEmitter {
  constructor(
    private readonly schemas: Record<string, Schema>,
    private readonly file: string,
  ) {}

  private fail(path: (string | number)[], detail: string): never {
    throw new GenerateError(this.file, jsonPath(['components', 'schemas', ...path]), detail);
  }

  private expr(raw: Schema, path: (string | number)[]): Expr {
    const s = unwrapAllOf(raw);
    const e = this.exprInner(s, path);
    return s.nullable === true ? wrap(e, (c) => `${c}.nullable()`, (t) => `z.ZodNullable<${t}>`) : e;
  }

  private exprInner(s: Schema, path: (string | number)[]): Expr {
    if (s.$ref !== undefined) {
      const ref = refName(s);
      if (ref === undefined || !Object.hasOwn(this.schemas, ref)) this.fail([...path, '$ref'], `$ref to unknown schema ${JSON.stringify(s.$ref)}`);
      return { code: defIdent(ref), type: schemaType(ref), refs: new Set([ref]) };
    }
    if (s.allOf) {
      const parts = s.allOf.map((p, i) => this.expr(p, [...path, 'allOf', i]));
      const rest: Schema = { ...s };
      delete rest.allOf;
      if (rest.type !== undefined || rest.properties !== undefined) parts.unshift(this.expr(rest, path));
      return parts.reduce((a, b) => ({
        code: `z.intersection(${a.code}, ${b.code})`,
        type: `z.ZodIntersection<${a.type}, ${b.type}>`,
        refs: new Set([...a.refs, ...b.refs]),
      }));
    }
    const alts = s.oneOf ?? s.anyOf;
    if (alts) {
      if (isIntOrString(alts)) return union([leaf('z.int()', 'z.ZodInt'), leaf('z.string()', 'z.ZodString')]);
      return union(alts.map((a, i) => this.expr(a, [...path, s.oneOf ? 'oneOf' : 'anyOf', i])));
    }
    if (s.enum) {
      if (s.enum.every((v): v is string => typeof v === 'string')) {
        return leaf(`z.enum(${JSON.stringify(s.enum)})`, `z.ZodEnum<{ ${s.enum.map((v) => `${JSON.stringify(v)}: ${JSON.stringify(v)}`).join('; ')} }>`);
      }
      return union(s.enum.map((v) => leaf(`z.literal(${JSON.stringify(v)})`, `z.ZodLiteral<${JSON.stringify(v)}>`)));
    }
    switch (s.type) {
      case 'string':
        return s.format === 'byte' ? leaf('z.base64()', 'z.ZodBase64') : leaf('z.string()', 'z.ZodString');
      case 'integer':
        return s.format === 'int32' ? leaf('z.int32()', 'z.ZodInt32') : leaf('z.int()', 'z.ZodInt');
      case 'number':
        return leaf('z.number()', 'z.ZodNumber');
      case 'boolean':
        return leaf('z.boolean()', 'z.ZodBoolean');
      case 'array': {
        const item = s.items ? this.expr(s.items, [...path, 'items']) : UNKNOWN;
        return wrap(item, (c) => `z.array(${c})`, (t) => `z.ZodArray<${t}>`);
      }
      case 'object':
        return this.object(s, path);
      case undefined:
        return s.properties ? this.object(s, path) : UNKNOWN;
      default:
        return this.fail([...path, 'type'], `unsupported type ${JSON.stringify(s.type)}`);
    }
  }

  /** The value schema of a map (`additionalProperties`). */
  private mapValue(s: Schema, path: (string | number)[]): Expr {
    const ap = s.additionalProperties;
    return typeof ap === 'object' && Object.keys(ap).length > 0 ? this.expr(ap, [...path, 'additionalProperties']) : UNKNOWN;
  }

  private object(s: Schema, path: (string | number)[]): Expr {
    const props = s.properties ?? {};
    const ap = s.additionalProperties;
    const hasMap = ap === true || typeof ap === 'object';
    if (Object.keys(props).length === 0) {
      if (!hasMap) return leaf('obj({})', 'z.ZodObject<{}, z.core.$strict>');
      return wrap(this.mapValue(s, path), (c) => `z.record(z.string(), ${c})`, (t) => `z.ZodRecord<z.ZodString, ${t}>`);
    }
    const shape = this.shape(s, path);
    if (!hasMap) return leaf(`obj(${shape.code})`, `z.ZodObject<${shape.type}, z.core.$strict>`);
    const value = this.mapValue(s, path);
    // A free-form value (preserve-unknown-fields) keeps unknown keys in both modes.
    if (value === UNKNOWN) return leaf(`z.looseObject(${shape.code})`, `z.ZodObject<${shape.type}, z.core.$loose>`);
    const lazy = value.refs.size > 0;
    return leaf(
      `obj(${shape.code}).catchall(${lazy ? `z.lazy(() => ${value.code})` : value.code})`,
      `z.ZodObject<${shape.type}, z.core.$catchall<${lazy ? `z.ZodLazy<${value.type}>` : value.type}>>`,
    );
  }

  /**
   * `{ a: …, get b() { … } }` and its type. Optional fields accept null and undefined (servers
   * and kubectl send `creationTimestamp: null`); required ones accept neither. A property that
   * refers to another definition is a getter, resolved on first use.
   */
  private shape(s: Schema, path: (string | number)[]): { code: string; type: string } {
    const required = new Set(s.required ?? []);
    const code: string[] = [];
    const type: string[] = [];
    for (const key of Object.keys(s.properties ?? {}).sort()) {
      let e = this.expr(s.properties![key]!, [...path, 'properties', key]);
      if (!required.has(key)) e = wrap(e, (c) => `${c}.nullish()`, (t) => `z.ZodOptional<z.ZodNullable<${t}>>`);
      code.push(e.refs.size === 0 ? `${propKey(key)}: ${e.code},` : `get ${propKey(key)}() { return ${e.code}; },`);
      type.push(`${propKey(key)}: ${e.type};`);
    }
    return { code: `{ ${code.join(' ')} }`, type: `{ ${type.join(' ')} }` };
  }

  /** The `const` that builds one definition, and its member of the `Schemas` interface. */
  definition(name: string): { code: string; type: string } {
    const id = defIdent(name);
    const declared = schemaType(name);
    if (name === QUANTITY) {
      return {
        code: `  const ${id}: ${declared} = z.union([z.string().regex(QUANTITY_PATTERN), z.number()]);`,
        type: `  ${JSON.stringify(name)}: z.ZodUnion<[z.ZodString, z.ZodNumber]>;`,
      };
    }
    const e = this.expr(this.schemas[name]!, [name]);
    // Naming the declared shape lets the compiler check the literal against it member by
    // member instead of comparing two instantiations of ZodObject (several times slower).
    if (e.code.startsWith('obj({')) {
      return { code: `  const ${id}: ${declared} = obj<${declared}['shape']>(${e.code.slice('obj('.length)};`, type: `  ${JSON.stringify(name)}: ${e.type};` };
    }
    // A definition that is itself a reference (none in Kubernetes today) must not be read before it is built.
    const code = e.refs.size === 0 ? e.code : `z.lazy(() => ${e.code})`;
    const type = e.refs.size === 0 ? e.type : `z.ZodLazy<${e.type}>`;
    return { code: `  const ${id}: ${declared} = ${code};`, type: `  ${JSON.stringify(name)}: ${type};` };
  }
}

/**
 * The k8s quantity grammar (resource.Quantity): a signed decimal number, then a binary-SI
 * suffix (Ki…Ei), a decimal-SI suffix (n, u, m, '', k, M, G, T, P, E) or an exponent.
 */
export const QUANTITY_REGEX = String.raw`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$`;

/** The body of generated/schemas.ts (without the file header). */
export function emitZod(schemas: Record<string, Schema>, file: string): string {
  const emitter = new ZodEmitter(schemas, file);
  const names = Object.keys(schemas).sort();
  const gvkToName = new Map<string, string>();
  for (const name of names) {
    for (const g of schemas[name]!['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${apiVersionOf(g)}/${g.kind}`;
      const other = gvkToName.get(key);
      if (other !== undefined && other !== name) throw new GenerateError(file, jsonPath(['components', 'schemas', name]), `${key} is also the kind of ${other}`);
      gvkToName.set(key, name);
    }
  }
  const defs = names.map((n) => emitter.definition(n));
  const table = names.map((n) => `    ${JSON.stringify(n)}: ${defIdent(n)},`);
  const kinds = [...gvkToName.keys()].sort().map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(gvkToName.get(k))},`);
  return `${ZOD_PRELUDE.replace('%QUANTITY%', QUANTITY_REGEX)}
/**
 * The zod type of every definition, by definition name (\`io.k8s.api.core.v1.Pod\`). Spelled
 * out rather than inferred: inferring ~900 mutually referring schemas exceeds what the
 * compiler will write into a declaration file, and a declared type checks faster.
 */
export interface Schemas {
${defs.map((d) => d.type).join('\n')}
}

/**
 * Builds the zod schema of every definition. \`strict\`: unknown keys are errors (a typo such
 * as \`contianers:\` is caught); otherwise unknown keys pass through untouched (the server may
 * be newer than these schemas). Defaults are never applied and output equals input.
 * Prefer {@link schemas}, which builds each mode once, on first use.
 */
export function makeSchemas(strict: boolean): Schemas {
  // Typed as strict in both modes: the static type describes the known fields.
  const obj = <S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S, z.core.$strict> =>
    (strict ? z.strictObject(shape) : z.looseObject(shape)) as unknown as z.ZodObject<S, z.core.$strict>;

${defs.map((d) => d.code).join('\n')}

  return {
${table.join('\n')}
  };
}

/** A definition name, e.g. \`io.k8s.api.core.v1.Pod\`. */
export type SchemaName = keyof Schemas;

/** \`<apiVersion>/<kind>\` → definition name, for every kind in the documents. */
export const kindSchemaNames: Readonly<Record<string, SchemaName>> = {
${kinds.join('\n')}
};

const built: { strict?: Schemas; loose?: Schemas } = {};

/** The schemas of one mode, built on first use and cached. */
export function schemas(mode: ValidationMode): Schemas {
  return (built[mode] ??= makeSchemas(mode === 'strict'));
}

/** The schema of a definition name (\`io.k8s.api.core.v1.Pod\`), or undefined. */
export function schemaByName(name: string, mode: ValidationMode = 'strict'): z.ZodType | undefined {
  const all = schemas(mode) as unknown as Readonly<Record<string, z.ZodType>>;
  return Object.hasOwn(all, name) ? all[name] : undefined;
}

/** The definition name for an apiVersion and kind (\`apps/v1\`, \`Deployment\`), or undefined. */
export function schemaNameFor(apiVersion: string, kind: string): SchemaName | undefined {
  const key = \`\${apiVersion}/\${kind}\`;
  return Object.hasOwn(kindSchemaNames, key) ? kindSchemaNames[key] : undefined;
}

/** The schema for an apiVersion and kind, or undefined for kinds not in the documents (custom resources). */
export function schemaFor(apiVersion: string, kind: string, mode: ValidationMode = 'strict'): z.ZodType | undefined {
  const name = schemaNameFor(apiVersion, kind);
  return name === undefined ? undefined : schemaByName(name, mode);
}
`;
}

const ZOD_PRELUDE = `// \`import * as z\` rather than \`import { z }\`: the latter drags zod's locales into bundles.
import * as z from 'zod';

/** \`strict\`: unknown keys are errors. \`loose\`: unknown keys pass through. */
export type ValidationMode = 'strict' | 'loose';

/** The k8s quantity grammar: a signed decimal, then a binary-SI (Ki…Ei) or decimal-SI (n, u, m, k, M, G, T, P, E) suffix or an exponent. */
export const QUANTITY_PATTERN: RegExp = /%QUANTITY%/;
`;
