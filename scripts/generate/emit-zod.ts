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
 * Shape of the output: a table with one string per definition (TABLE_FORMAT), read by a small
 * interpreter in the same file into zod/mini calls when the definition is first used; a
 * reference builds the referred definition once, and a property that refers back into its
 * own reference cycle is a getter (zod 4's recursion idiom), so self-reference
 * (JSONSchemaProps) works. As code (`z.strictObject({ … })` per definition) the same schemas
 * were almost twice the size once gzipped, in every bundle that can validate. The zod type of
 * every definition is spelled out in a `Schemas` interface (see there).
 */
import { GenerateError, jsonPath } from './errors.js';
import { defIdent, propKey } from './naming.js';
import { QUANTITY, refName, unwrapAllOf } from './normalize.js';
import type { Schema } from './spec.js';
import { apiVersionOf } from '../../src/core/resource-info.js';
import { BARE_KEY, emitSchemaTable, packageRuns } from './schema-table.js';

/**
 * One expression: its encoding in the schema table (`enc`, see TABLE_FORMAT), its zod type
 * (`type`), the TypeScript type of what it parses to (`out`, needed only on reference cycles),
 * and the definitions it reaches without an object boundary (`refs`: such a property must be
 * a getter).
 */
interface Expr {
  enc: string;
  type: string;
  out: string;
  refs: Set<string>;
}

const leaf = (enc: string, type: string, out: string): Expr => ({ enc, type, out, refs: new Set() });

function wrap(inner: Expr, enc: (c: string) => string, type: (t: string) => string, out: (o: string) => string): Expr {
  return { enc: enc(inner.enc), type: type(inner.type), out: out(inner.out), refs: inner.refs };
}

function union(parts: Expr[], enc: string): Expr {
  const refs = new Set<string>();
  for (const p of parts) for (const r of p.refs) refs.add(r);
  return {
    enc,
    type: `z.ZodMiniUnion<[${parts.map((p) => p.type).join(', ')}]>`,
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
const UNKNOWN = leaf('u', 'z.ZodMiniUnknown', 'unknown');
class ZodEmitter {
  constructor(
    private readonly schemas: Record<string, Schema>,
    private readonly file: string,
    /** Definitions on a reference cycle (JSONSchemaProps, CompositePodGroupTemplate), by cycle. */
    private readonly cyclic: ReadonlyMap<string, number>,
    /** Definition name → its index in the table. */
    private readonly index: ReadonlyMap<string, number>,
    /** For each index, where its run of same-package names starts (packageRuns). */
    private readonly runStart: readonly number[],
  ) {}

  /** The definition being emitted. */
  private current = '';
  /** Enum values and literal unions, by index (the table's `E`/`L` operands). */
  readonly literals: unknown[][] = [];

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

  private literal(values: unknown[]): number {
    this.literals.push(values);
    return this.literals.length - 1;
  }

  private expr(raw: Schema, path: (string | number)[]): Expr {
    const s = unwrapAllOf(raw);
    const e = this.exprInner(s, path);
    return s.nullable === true ? wrap(e, (c) => `~${c}`, (t) => `z.ZodMiniNullable<${t}>`, (o) => `${o} | null`) : e;
  }

  private exprInner(s: Schema, path: (string | number)[]): Expr {
    if (s.$ref !== undefined) {
      const ref = refName(s);
      if (ref === undefined || !Object.hasOwn(this.schemas, ref)) this.fail([...path, '$ref'], `$ref to unknown schema ${JSON.stringify(s.$ref)}`);
      const out = this.cyclic.has(ref) ? outputName(ref) : `z.output<${schemaType(ref)}>`;
      // Definitions are built on first use: a reference builds the definition (once).
      // A definition of the same package (run of names) by its place in the package: across versions of
      // a group the same definitions then read the same, which gzip sees.
      const at = this.index.get(ref)!;
      const base = this.runStart[this.index.get(this.current)!]!;
      const enc = this.runStart[at] === base ? `#${at - base}` : `@${at}`;
      return { enc, type: schemaType(ref), out, refs: new Set([ref]) };
    }
    if (s.allOf) {
      const parts = s.allOf.map((p, i) => this.expr(p, [...path, 'allOf', i]));
      const rest: Schema = { ...s };
      delete rest.allOf;
      if (rest.type !== undefined || rest.properties !== undefined) parts.unshift(this.expr(rest, path));
      return parts.reduce((a, b) => ({
        enc: `&${a.enc}${b.enc}`,
        type: `z.ZodMiniIntersection<${a.type}, ${b.type}>`,
        out: `(${a.out}) & (${b.out})`,
        refs: new Set([...a.refs, ...b.refs]),
      }));
    }
    const alts = s.oneOf ?? s.anyOf;
    if (alts) {
      if (isIntOrString(alts)) return union([leaf('i', 'z.ZodMiniInt', 'number'), leaf('s', 'z.ZodMiniString', 'string')], '|2is');
      const parts = alts.map((a, i) => this.expr(a, [...path, s.oneOf ? 'oneOf' : 'anyOf', i]));
      return union(parts, `|${parts.length}${parts.map((p) => p.enc).join('')}`);
    }
    if (s.enum) {
      const literals = s.enum.map((v) => JSON.stringify(v));
      if (s.enum.every((v) => typeof v === 'string')) {
        return leaf(`E${this.literal(s.enum)}`, `z.ZodMiniEnum<{ ${literals.map((v) => `${v}: ${v}`).join('; ')} }>`, literals.join(' | '));
      }
      return union(literals.map((v) => leaf('', `z.ZodMiniLiteral<${v}>`, v)), `L${this.literal(s.enum)}`);
    }
    switch (s.type) {
      case 'string':
        return s.format === 'byte' ? leaf('6', 'z.ZodMiniBase64', 'string') : leaf('s', 'z.ZodMiniString', 'string');
      case 'integer':
        return s.format === 'int32' ? leaf('I', 'z.ZodMiniInt32', 'number') : leaf('i', 'z.ZodMiniInt', 'number');
      case 'number':
        return leaf('n', 'z.ZodMiniNumber', 'number');
      case 'boolean':
        return leaf('b', 'z.ZodMiniBoolean', 'boolean');
      case 'array': {
        const item = s.items ? this.expr(s.items, [...path, 'items']) : UNKNOWN;
        return wrap(item, (c) => `[${c}`, (t) => `z.ZodMiniArray<${t}>`, (o) => `Array<${o}>`);
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
      if (!hasMap) return leaf('{}', 'z.ZodMiniObject<{}, z.core.$strict>', 'Record<string, never>');
      return wrap(this.mapValue(s, path), (c) => `%${c}`, (t) => `z.ZodMiniRecord<z.ZodMiniString, ${t}>`, (o) => `Record<string, ${o}>`);
    }
    const shape = this.shape(s, path);
    if (!hasMap) return leaf(shape.enc, `z.ZodMiniObject<${shape.type}, z.core.$strict>`, shape.out);
    const value = this.mapValue(s, path);
    const open = `${shape.out.slice(0, -1)}[key: string]: unknown; }`;
    // A free-form value (preserve-unknown-fields) keeps unknown keys in both modes.
    if (value === UNKNOWN) return leaf(`O${shape.enc}`, `z.ZodMiniObject<${shape.type}, z.core.$loose>`, open);
    const lazy = this.needsLazy(value.refs);
    return leaf(
      `${lazy ? 'C' : 'c'}${shape.enc}${value.enc}`,
      `z.ZodMiniObject<${shape.type}, z.core.$catchall<${lazy ? `z.ZodMiniLazy<${value.type}>` : value.type}>>`,
      open,
    );
  }

  /**
   * `{a?s b:^@3}`, its zod type and its output type. Optional fields accept null and undefined
   * (servers and kubectl send `creationTimestamp: null`); required ones accept neither. A
   * property that refers back into the definition's own reference cycle is a getter.
   */
  private shape(s: Schema, path: (string | number)[]): { enc: string; type: string; out: string } {
    const required = new Set(s.required ?? []);
    const enc: string[] = [];
    const type: string[] = [];
    const out: string[] = [];
    for (const key of Object.keys(s.properties ?? {}).sort()) {
      if (!BARE_KEY.test(key)) this.fail([...path, 'properties', key], `property name ${JSON.stringify(key)} cannot be written in the schema table (allowed: ${BARE_KEY})`);
      const e = this.expr(s.properties![key]!, [...path, 'properties', key]);
      const optional = !required.has(key);
      const t = optional ? `z.ZodMiniOptional<z.ZodMiniNullable<${e.type}>>` : e.type;
      enc.push(`${key}${optional ? '?' : ':'}${this.needsLazy(e.refs) ? '^' : ''}${e.enc}`);
      type.push(`${propKey(key)}: ${t};`);
      out.push(`${propKey(key)}${optional ? '?' : ''}: ${e.out}${optional ? ' | null' : ''};`);
    }
    return { enc: `{${enc.join('')}}`, type: `{ ${type.join(' ')} }`, out: `{ ${out.join(' ')} }` };
  }

  /** The table entry of one definition, its member of the `Schemas` interface and, on a cycle, its output type. */
  definition(name: string): { enc: string; type: string; output?: string } {
    this.current = name;
    const member = (t: string): string => `  ${JSON.stringify(name)}: ${t};`;
    if (name === QUANTITY) return { enc: 'Q', type: member('z.ZodMiniUnion<[z.ZodMiniString, z.ZodMiniNumber]>') };
    const e = this.expr(this.schemas[name]!, [name]);
    // A definition that is itself a reference (none in Kubernetes today) must not be read before it is built.
    const enc = e.refs.size === 0 ? e.enc : `z${e.enc}`;
    if (this.cyclic.has(name)) {
      // zod's type inference turns a reference back to the definition being inferred into
      // `any`/`unknown`; on a cycle the output type is spelled out instead.
      const out = outputName(name);
      return {
        enc,
        type: member(`z.ZodMiniType<${out}, ${out}>`),
        output: `/** What \`${name}\` parses to (spelled out: zod cannot infer through the self-reference). */\nexport type ${out} = ${e.out};`,
      };
    }
    return { enc, type: member(e.refs.size === 0 ? e.type : `z.ZodMiniLazy<${e.type}>`) };
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
  const names = Object.keys(schemas).sort();
  const emitter = new ZodEmitter(schemas, file, referenceCycles(schemas), new Map(names.map((n, i) => [n, i])), packageRuns(names));
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
  const types = `import type * as z from 'zod/mini';

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
  const runtime = emitSchemaTable({ names, entries: defs.map((d) => d.enc), literals: emitter.literals, kinds: gvkToName, quantityRegex: QUANTITY_REGEX });
  return { types, runtime };
}
