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

/**
 * A zod expression (`code`), its zod type (`type`), the TypeScript type of what it parses to
 * (`out`, needed only on reference cycles), and the definitions it reaches without an object
 * boundary (`refs`: such a property must be a getter).
 */
interface Expr {
  code: string;
  type: string;
  out: string;
  refs: Set<string>;
}

const leaf = (code: string, type: string, out: string): Expr => ({ code, type, out, refs: new Set() });

function wrap(inner: Expr, code: (c: string) => string, type: (t: string) => string, out: (o: string) => string): Expr {
  return { code: code(inner.code), type: type(inner.type), out: out(inner.out), refs: inner.refs };
}

function union(parts: Expr[]): Expr {
  const refs = new Set<string>();
  for (const p of parts) for (const r of p.refs) refs.add(r);
  return {
    code: `z.union([${parts.map((p) => p.code).join(', ')}])`,
    type: `z.ZodUnion<[${parts.map((p) => p.type).join(', ')}]>`,
    out: parts.map((p) => `(${p.out})`).join(' | '),
    refs,
  };
}

function isIntOrString(alts: Schema[]): boolean {
  const types = alts.map((a) => a.type).sort();
  return alts.length === 2 && types[0] === 'integer' && types[1] === 'string';
}

const schemaType = (name: string): string => `Schemas[${JSON.stringify(name)}]`;
/** Name of the spelled-out output type of a definition on a reference cycle. */
const outputName = (name: string): string => `${defIdent(name)}_Output`;
const UNKNOWN = leaf('z.unknown()', 'z.ZodUnknown', 'unknown');

class ZodEmitter {
  constructor(
    private readonly schemas: Record<string, Schema>,
    private readonly file: string,
    /** Definitions on a reference cycle (JSONSchemaProps, CompositePodGroupTemplate), by cycle. */
    private readonly cyclic: ReadonlyMap<string, number>,
  ) {}

  /** The definition being emitted. */
  private current = '';

  /**
   * Whether an expression must be resolved lazily (a getter, z.lazy): only when it refers back
   * into the cycle of the definition being emitted. Everything else is built eagerly, which
   * lets zod see that the schema is not recursive: no cycle bookkeeping on every parse, and
   * z.compile can turn it into a fast validator.
   */
  private needsLazy(refs: ReadonlySet<string>): boolean {
    const cycle = this.cyclic.get(this.current);
    return cycle !== undefined && [...refs].some((r) => this.cyclic.get(r) === cycle);
  }

  private fail(path: (string | number)[], detail: string): never {
    throw new GenerateError(this.file, jsonPath(['components', 'schemas', ...path]), detail);
  }

  private expr(raw: Schema, path: (string | number)[]): Expr {
    const s = unwrapAllOf(raw);
    const e = this.exprInner(s, path);
    return s.nullable === true ? wrap(e, (c) => `z.nullable(${c})`, (t) => `z.ZodNullable<${t}>`, (o) => `${o} | null`) : e;
  }

  private exprInner(s: Schema, path: (string | number)[]): Expr {
    if (s.$ref !== undefined) {
      const ref = refName(s);
      if (ref === undefined || !Object.hasOwn(this.schemas, ref)) this.fail([...path, '$ref'], `$ref to unknown schema ${JSON.stringify(s.$ref)}`);
      const out = this.cyclic.has(ref) ? outputName(ref) : `z.output<${schemaType(ref)}>`;
      // Definitions are built on first use: a reference calls the definition's builder.
      return { code: `${defIdent(ref)}()`, type: schemaType(ref), out, refs: new Set([ref]) };
    }
    if (s.allOf) {
      const parts = s.allOf.map((p, i) => this.expr(p, [...path, 'allOf', i]));
      const rest: Schema = { ...s };
      delete rest.allOf;
      if (rest.type !== undefined || rest.properties !== undefined) parts.unshift(this.expr(rest, path));
      return parts.reduce((a, b) => ({
        code: `z.intersection(${a.code}, ${b.code})`,
        type: `z.ZodIntersection<${a.type}, ${b.type}>`,
        out: `(${a.out}) & (${b.out})`,
        refs: new Set([...a.refs, ...b.refs]),
      }));
    }
    const alts = s.oneOf ?? s.anyOf;
    if (alts) {
      if (isIntOrString(alts)) return union([leaf('z.int()', 'z.ZodInt', 'number'), leaf('z.string()', 'z.ZodString', 'string')]);
      return union(alts.map((a, i) => this.expr(a, [...path, s.oneOf ? 'oneOf' : 'anyOf', i])));
    }
    if (s.enum) {
      const literals = s.enum.map((v) => JSON.stringify(v));
      if (s.enum.every((v) => typeof v === 'string')) {
        return leaf(`z.enum([${literals.join(', ')}])`, `z.ZodEnum<{ ${literals.map((v) => `${v}: ${v}`).join('; ')} }>`, literals.join(' | '));
      }
      return union(literals.map((v) => leaf(`z.literal(${v})`, `z.ZodLiteral<${v}>`, v)));
    }
    switch (s.type) {
      case 'string':
        return s.format === 'byte' ? leaf('z.base64()', 'z.ZodBase64', 'string') : leaf('z.string()', 'z.ZodString', 'string');
      case 'integer':
        return s.format === 'int32' ? leaf('z.int32()', 'z.ZodInt32', 'number') : leaf('z.int()', 'z.ZodInt', 'number');
      case 'number':
        return leaf('z.number()', 'z.ZodNumber', 'number');
      case 'boolean':
        return leaf('z.boolean()', 'z.ZodBoolean', 'boolean');
      case 'array': {
        const item = s.items ? this.expr(s.items, [...path, 'items']) : UNKNOWN;
        return wrap(item, (c) => `z.array(${c})`, (t) => `z.ZodArray<${t}>`, (o) => `Array<${o}>`);
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
      if (!hasMap) return leaf('obj({})', 'z.ZodObject<{}, z.core.$strict>', 'Record<string, never>');
      return wrap(this.mapValue(s, path), (c) => `z.record(z.string(), ${c})`, (t) => `z.ZodRecord<z.ZodString, ${t}>`, (o) => `Record<string, ${o}>`);
    }
    const shape = this.shape(s, path);
    if (!hasMap) return leaf(`obj(${shape.code})`, `z.ZodObject<${shape.type}, z.core.$strict>`, shape.out);
    const value = this.mapValue(s, path);
    const open = `${shape.out.slice(0, -1)}[key: string]: unknown; }`;
    // A free-form value (preserve-unknown-fields) keeps unknown keys in both modes.
    if (value === UNKNOWN) return leaf(`z.looseObject(${shape.code})`, `z.ZodObject<${shape.type}, z.core.$loose>`, open);
    const lazy = this.needsLazy(value.refs);
    return leaf(
      `obj(${shape.code}).catchall(${lazy ? `z.lazy(() => ${value.code})` : value.code})`,
      `z.ZodObject<${shape.type}, z.core.$catchall<${lazy ? `z.ZodLazy<${value.type}>` : value.type}>>`,
      open,
    );
  }

  /**
   * `{ a: …, get b() { … } }`, its zod type and its output type. Optional fields accept null
   * and undefined (servers and kubectl send `creationTimestamp: null`); required ones accept
   * neither. A property that refers back into the definition's own reference cycle is a getter.
   */
  private shape(s: Schema, path: (string | number)[]): { code: string; type: string; out: string } {
    const required = new Set(s.required ?? []);
    const code: string[] = [];
    const type: string[] = [];
    const out: string[] = [];
    for (const key of Object.keys(s.properties ?? {}).sort()) {
      let e = this.expr(s.properties![key]!, [...path, 'properties', key]);
      const optional = !required.has(key);
      if (optional) e = wrap(e, (c) => `z.nullish(${c})`, (t) => `z.ZodOptional<z.ZodNullable<${t}>>`, (o) => `${o} | null`);
      code.push(this.needsLazy(e.refs) ? `get ${propKey(key)}() { return ${e.code}; },` : `${propKey(key)}: ${e.code},`);
      type.push(`${propKey(key)}: ${e.type};`);
      out.push(`${propKey(key)}${optional ? '?' : ''}: ${e.out};`);
    }
    return { code: `{ ${code.join(' ')} }`, type: `{ ${type.join(' ')} }`, out: `{ ${out.join(' ')} }` };
  }

  /**
   * The builder of one definition (`const x = () => (x_ ??= …)`: built on first use, once),
   * its member of the `Schemas` interface and, on a cycle, its output type.
   */
  definition(name: string): { code: string; type: string; output?: string } {
    this.current = name;
    const id = defIdent(name);
    const built = (declared: string, value: string): string => `  let ${id}_: ${declared} | undefined;\n  const ${id} = (): ${declared} => (${id}_ ??= ${value});`;
    const declared = schemaType(name);
    const member = (t: string): string => `  ${JSON.stringify(name)}: ${t};`;
    if (name === QUANTITY) {
      return { code: built(declared, 'z.union([z.string().regex(QUANTITY_PATTERN), z.number()])'), type: member('z.ZodUnion<[z.ZodString, z.ZodNumber]>') };
    }
    const e = this.expr(this.schemas[name]!, [name]);
    // A definition that is itself a reference (none in Kubernetes today) must not be read before it is built.
    const code = e.refs.size === 0 ? e.code : `z.lazy(() => ${e.code})`;
    if (this.cyclic.has(name)) {
      // zod's type inference turns a reference back to the definition being inferred into
      // `any`/`unknown`; on a cycle the output type is spelled out instead.
      const out = outputName(name);
      return {
        code: built(declared, code),
        type: member(`z.ZodType<${out}, ${out}>`),
        output: `/** What \`${name}\` parses to (spelled out: zod cannot infer through the self-reference). */\nexport type ${out} = ${e.out};`,
      };
    }
    // Naming the declared shape lets the compiler check the literal against it member by
    // member instead of comparing two instantiations of ZodObject (several times slower).
    if (code.startsWith('obj({')) return { code: built(declared, `obj<${declared}['shape']>(${code.slice('obj('.length)}`), type: member(e.type) };
    return { code: built(declared, code), type: member(e.refs.size === 0 ? e.type : `z.ZodLazy<${e.type}>`) };
  }
}

/** Definitions that can reach themselves through references (strongly connected components of size > 1, or a self-loop). */
function referenceCycles(schemas: Record<string, Schema>): Map<string, number> {
  const edges = new Map<string, string[]>();
  for (const [name, s] of Object.entries(schemas)) {
    const refs = new Set<string>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n !== null && typeof n === 'object') {
        for (const [k, v] of Object.entries(n)) {
          const r = k === '$ref' && typeof v === 'string' ? refName({ $ref: v }) : undefined;
          if (r !== undefined) refs.add(r);
          else walk(v);
        }
      }
    };
    walk(s);
    edges.set(name, [...refs].filter((r) => Object.hasOwn(schemas, r)).sort());
  }
  // Tarjan's algorithm.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cyclic = new Map<string, number>();
  let components = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v)!.includes(v)) {
      for (const m of component) cyclic.set(m, components);
      components++;
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return cyclic;
}

/**
 * The k8s quantity grammar (resource.Quantity): a signed decimal number, then a binary-SI
 * suffix (Ki…Ei), a decimal-SI suffix (n, u, m, '', k, M, G, T, P, E) or an exponent.
 */
export const QUANTITY_REGEX = String.raw`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$`;

/** The bodies (without the file header) of generated/schema-types.ts and generated/schemas.ts. */
export function emitZod(schemas: Record<string, Schema>, file: string): { types: string; runtime: string } {
  const emitter = new ZodEmitter(schemas, file, referenceCycles(schemas));
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
  const table = names.map((n) => `    get ${JSON.stringify(n)}() { return ${defIdent(n)}(); },`);
  const kinds = [...gvkToName.keys()].sort().map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(gvkToName.get(k))},`);
  const types = `import type * as z from 'zod';

/** \`strict\`: unknown keys are errors. \`loose\`: unknown keys pass through. */
export type ValidationMode = 'strict' | 'loose';

/**
 * The zod type of every definition, by definition name (\`io.k8s.api.core.v1.Pod\`), as built
 * by schemas.ts. Spelled out rather than inferred: inferring ~900 mutually referring schemas
 * exceeds what the compiler will write into a declaration file, and a declared type checks
 * faster. Kept apart from the runtime so that type-only users do not check its body.
 */
export interface Schemas {
${defs.map((d) => d.type).join('\n')}
}

/** A definition name, e.g. \`io.k8s.api.core.v1.Pod\`. */
export type SchemaName = keyof Schemas;

${defs.flatMap((d) => (d.output ? [d.output] : [])).join('\n\n')}
`;
  const runtime = `// \`import * as z\` rather than \`import { z }\`: the latter drags zod's locales into bundles.
import * as z from 'zod';
import type { SchemaName, Schemas, ValidationMode } from './schema-types.js';

export type { SchemaName, Schemas, ValidationMode };

/** The k8s quantity grammar: a signed decimal, then a binary-SI (Ki…Ei) or decimal-SI (n, u, m, k, M, G, T, P, E) suffix or an exponent. */
export const QUANTITY_PATTERN: RegExp = /${QUANTITY_REGEX}/;

/**
 * The zod schema of every definition, each built when first read (a Pod's check builds the
 * ~60 definitions a Pod reaches, not all ~860). \`strict\`: unknown keys are errors (a typo such
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

/**
 * A yes/no check compiled by zod (\`z.compile\`: generated code that builds no output), for
 * checking many objects against one schema. Compiling costs more than one ordinary parse, so
 * it pays only for repeated checks. Where zod cannot compile (a recursive schema, no
 * \`new Function\`), zod's runtime answers instead; either way the answer is zod's.
 */
export function compiledCheck(schema: z.ZodType): (value: unknown) => boolean {
  const compiled = z.compile(schema);
  return (value) => z.validate(compiled, value);
}
`;
  return { types, runtime };
}
