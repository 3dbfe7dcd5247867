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
 * were four times the size once gzipped, in every bundle that can validate. The zod type of
 * every definition is spelled out in a `Schemas` interface (see there).
 */
import { GenerateError, jsonPath } from './errors.js';
import { defIdent, propKey } from './naming.js';
import { QUANTITY, refName, unwrapAllOf } from './normalize.js';
import type { Schema } from './spec.js';
import { apiVersionOf } from '../../src/core/resource-info.js';

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
/** Property names the table writes bare; the characters after them (`?`, `:`, `^`, `}`) are its syntax. */
const BARE_KEY = /^[A-Za-z_$][\w$.-]*$/;

/**
 * How generated/schemas.ts writes the schemas: one string per definition (in name order), a
 * zod expression in prefix form, which the file's `build` turns into the same zod calls the
 * code form made (`z.strictObject({ a: z.nullish(z.string()) })` ⇐ `{a?s}`). A table of data
 * is a quarter of the size of the code once gzipped, and is only read when a definition is
 * first used.
 */
export const TABLE_FORMAT = `
 *   s string · b boolean · n number · i int · I int32 · 6 base64 · u unknown · Q Quantity
 *   @N      the definition at index N           #N  the Nth definition of this one's package
 *   [e      array of e           %e   record of string → e      ~e  nullable e
 *   |N e…   union of N           &e e intersection              EN  enum of LITERALS[N]
 *   LN      union of the literals LITERALS[N]                   ze  z.lazy of e (whole definition)
 *   {…}     object, strict or loose by mode      O{…}  loose in both modes
 *   c{…}e   object with catchall e               C{…}e catchall z.lazy(e)
 *   fields: name?e (optional: nullish) or name:e (required); ^ after ?/: makes it a getter`;

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

/** For each name, the index where its run of consecutive names of one package starts (as the file's PACKAGE_START). */
function packageRuns(names: readonly string[]): number[] {
  const pkg = (n: string): string => n.slice(0, n.lastIndexOf('.') + 1);
  let start = 0;
  return names.map((n, i) => (i > 0 && pkg(n) === pkg(names[i - 1]!) ? start : (start = i)));
}

/**
 * The reader's case for each operator of TABLE_FORMAT. The file carries only the cases its table
 * uses, so a bundle holds only the zod schema types the definitions are made of (no
 * intersections, enums, literals or z.lazy while Kubernetes has none).
 */
const READER_CASES: Readonly<Record<string, string>> = {
  s: `case 's': return () => z.string();`,
  b: `case 'b': return () => z.boolean();`,
  n: `case 'n': return () => z.number();`,
  i: `case 'i': return () => z.int();`,
  I: `case 'I': return () => z.int32();`,
  '6': `case '6': return () => z.base64();`,
  u: `case 'u': return () => z.unknown();`,
  Q: `case 'Q': return () => z.union([z.string().check(z.regex(QUANTITY_PATTERN)), z.number()]);`,
  '@': `case '@': {
        const index = int();
        return () => ref(index);
      }`,
  '#': `case '#': {
        const index = base + int();
        return () => ref(index);
      }`,
  '[': `case '[': {
        const item = expr();
        return () => z.array(item());
      }`,
  '%': `case '%': {
        const value = expr();
        return () => z.record(z.string(), value());
      }`,
  '~': `case '~': {
        const inner = expr();
        return () => z.nullable(inner());
      }`,
  '|': `case '|': {
        const parts: Build[] = [];
        for (let n = int(); n > 0; n--) parts.push(expr());
        return () => z.union(parts.map((p) => p()));
      }`,
  '&': `case '&': {
        const left = expr();
        const right = expr();
        return () => z.intersection(left(), right());
      }`,
  E: `case 'E': {
        const values = LITERALS[int()] as readonly string[];
        return () => z.enum(values);
      }`,
  L: `case 'L': {
        const values = LITERALS[int()]!;
        return () => z.union(values.map((v) => z.literal(v)));
      }`,
  z: `case 'z': {
        const inner = expr();
        return () => z.lazy(inner);
      }`,
  '{': `case '{': {
        at--;
        const list = fields();
        return () => object(list);
      }`,
  O: `case 'O': {
        const list = fields();
        return () => z.looseObject(shape(list));
      }`,
  c: `case 'c': {
        const list = fields();
        const value = expr();
        return () => z.catchall(object(list), value());
      }`,
  C: `case 'C': {
        const list = fields();
        const value = expr();
        return () => z.catchall(object(list), z.lazy(value));
      }`,
};

/**
 * Adds the operators of one table entry to `ops`, reading it as the file's `read` will: an entry
 * that does not read to its end is a bug of this emitter, caught here rather than at first use.
 */
function collectOps(src: string, ops: Set<string>): void {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`emit-zod: table entry ${JSON.stringify(src)}: ${why} at ${at}`);
  };
  const int = (): void => {
    const digits = /^\d+/.exec(src.slice(at))?.[0] ?? fail('a number expected');
    at += digits.length;
  };
  const fields = (): void => {
    if (src[at++] !== '{') fail('{ expected');
    while (src[at] !== '}') {
      const key = /^[A-Za-z_$][\w$.-]*[?:]\^?/.exec(src.slice(at))?.[0] ?? fail('a field expected');
      at += key.length;
      expr();
    }
    at++;
  };
  const expr = (): void => {
    const op = src[at++] ?? fail('an operator expected');
    if (!Object.hasOwn(READER_CASES, op)) fail(`unknown operator ${JSON.stringify(op)}`);
    ops.add(op);
    if ('@#EL'.includes(op)) int();
    else if ('[%~z'.includes(op)) expr();
    else if (op === '|') {
      const n = Number(/^\d+/.exec(src.slice(at))?.[0] ?? fail('a count expected'));
      int();
      for (let k = 0; k < n; k++) expr();
    } else if (op === '&') {
      expr();
      expr();
    } else if (op === '{') {
      at--;
      fields();
    } else if (op === 'O') fields();
    else if (op === 'c' || op === 'C') {
      fields();
      expr();
    }
  };
  expr();
  if (at !== src.length) fail('trailing text');
}

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
  const ops = new Set<string>();
  for (const d of defs) collectOps(d.enc, ops);
  const cases = Object.keys(READER_CASES).filter((op) => ops.has(op)).map((op) => `      ${READER_CASES[op]!}`);
  const index = new Map(names.map((n, i) => [n, i]));
  // Names grouped by package: `io.k8s.api.apps.v1.DaemonSet DaemonSetList …` (a word without a dot is in the package before it).
  let pkg = '';
  const packed = names.map((n) => {
    const dot = n.lastIndexOf('.');
    if (dot > 0 && n.slice(0, dot + 1) === pkg) return n.slice(dot + 1);
    pkg = n.slice(0, dot + 1);
    return n;
  });
  // Kinds grouped by apiVersion, each the index of its definition, `Kind=index` where the kind is not the definition's short name.
  const groups: string[] = [];
  let group = '';
  for (const key of [...gvkToName.keys()].sort()) {
    const slash = key.lastIndexOf('/');
    const [apiVersion, kind] = [key.slice(0, slash), key.slice(slash + 1)];
    const name = gvkToName.get(key)!;
    const entry = name.endsWith(`.${kind}`) ? `${index.get(name)!}` : `${kind}=${index.get(name)!}`;
    if (apiVersion !== group) groups.push(`${(group = apiVersion)} ${entry}`);
    else groups[groups.length - 1] += ` ${entry}`;
  }
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
  const runtime = `// zod/mini: the same core as \`zod\` (parsing, issues, messages, z.compile), without the classic
// API's methods and JSON Schema support, which these schemas do not use: a smaller bundle.
// \`import * as z\` rather than \`import { z }\`, and one locale: no other locales in bundles.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import type { SchemaName, Schemas, ValidationMode } from './schema-types.js';

export type { SchemaName, Schemas, ValidationMode };

/** The k8s quantity grammar: a signed decimal, then a binary-SI (Ki…Ei) or decimal-SI (n, u, m, k, M, G, T, P, E) suffix or an exponent. */
export const QUANTITY_PATTERN: RegExp = /${QUANTITY_REGEX}/;

/** Every definition name, in table order; written by package (a word without a dot is in the package of the word before). */
const NAMES = unpackNames(
  ${JSON.stringify(packed.join(' '))},
);

/** For each definition, the index of the first of its package's run of names (the table's \`#N\` counts from there). */
const PACKAGE_START = packageStarts(NAMES);

function packageStarts(names: readonly string[]): readonly number[] {
  const packageOf = (name: string): string => name.slice(0, name.lastIndexOf('.') + 1);
  let start = 0;
  return names.map((name, index) => (index > 0 && packageOf(name) === packageOf(names[index - 1]!) ? start : (start = index)));
}

function unpackNames(packed: string): readonly SchemaName[] {
  let pkg = '';
  return packed.split(' ').map((word) => {
    const dot = word.lastIndexOf('.');
    if (dot < 0) return \`\${pkg}\${word}\`;
    pkg = word.slice(0, dot + 1);
    return word;
  }) as SchemaName[];
}

/**
 * Every definition's zod schema, written as data (one entry per name, read by {@link read}):${TABLE_FORMAT}
 */
const TABLE: readonly string[] = [
${defs.map((d) => `  ${JSON.stringify(d.enc)},`).join('\n')}
];

${ops.has('E') || ops.has('L') ? `/** Enum values and literal unions of the table. */
const LITERALS: readonly (readonly z.core.util.Literal[])[] = ${JSON.stringify(emitter.literals)};
` : ''}
type Build = () => z.ZodMiniType;
type Field = readonly [key: string, optional: boolean, getter: boolean, build: Build];

/** What classic \`zod\` sets before building its first schema, unless set already: English messages, and the memoizer (cyclic input on recursive schemas). */
function classicDefaults(): void {
  const config = z.config();
  if (!config.localeError) z.config(en());
  if (!config.memoizer) z.config({ memoizer: z.memoizer() });
}

/** Reads one table entry into a function that builds its schema (refs build their definitions through \`ref\`). */
function read(src: string, strict: boolean, ref: (index: number) => z.ZodMiniType, base: number): Build {
  let at = 0;
  const int = (): number => {
    const start = at;
    while (src.charCodeAt(at) >= 48 && src.charCodeAt(at) <= 57) at++;
    return Number(src.slice(start, at));
  };
  const fields = (): Field[] => {
    const out: Field[] = [];
    at++; // {
    while (src[at] !== '}') {
      const start = at;
      while (src[at] !== '?' && src[at] !== ':') at++;
      const key = src.slice(start, at);
      const optional = src[at++] === '?';
      const getter = src[at] === '^';
      if (getter) at++;
      out.push([key, optional, getter, expr()]);
    }
    at++; // }
    return out;
  };
  // A getter is a property that refers back into its definition's reference cycle (zod 4's recursion idiom).
  const shape = (list: readonly Field[]): z.core.$ZodLooseShape => {
    const out: z.core.$ZodLooseShape = {};
    for (const [key, optional, getter, build] of list) {
      const value = optional ? () => z.nullish(build()) : build;
      if (getter) Object.defineProperty(out, key, { get: value, enumerable: true, configurable: true });
      else out[key] = value();
    }
    return out;
  };
  const object = (list: readonly Field[]): z.ZodMiniObject => (strict ? z.strictObject(shape(list)) : z.looseObject(shape(list)));
  const expr = (): Build => {
    const op = src[at++];
    switch (op) {
${cases.join('\n')}
      default:
        throw new Error(\`generated/schemas.ts: unreadable table entry at \${at - 1}: \${src}\`);
    }
  };
  return expr();
}

/**
 * The zod schema of every definition, each built when first read (a Pod's check builds the
 * ~60 definitions a Pod reaches, not all ~860). \`strict\`: unknown keys are errors (a typo such
 * as \`contianers:\` is caught); otherwise unknown keys pass through untouched (the server may
 * be newer than these schemas). Defaults are never applied and output equals input.
 * Prefer {@link schemas}, which builds each mode once, on first use.
 */
export function makeSchemas(strict: boolean): Schemas {
  const built: (z.ZodMiniType | undefined)[] = [];
  const definition = (index: number): z.ZodMiniType => {
    classicDefaults();
    return (built[index] ??= read(TABLE[index]!, strict, definition, PACKAGE_START[index]!)());
  };
  const all = {};
  NAMES.forEach((name, index) => Object.defineProperty(all, name, { get: () => definition(index), enumerable: true, configurable: true }));
  return all as Schemas;
}

/** \`<apiVersion>/<kind>\` → definition name, for every kind in the documents. */
export const kindSchemaNames: Readonly<Record<string, SchemaName>> = unpackKinds([
${groups.map((g) => `  ${JSON.stringify(g)},`).join('\n')}
]);

/** \`apps/v1 12 Scale=40 …\`: an apiVersion, then each kind's definition by index, named where the kind is not the definition's short name. */
function unpackKinds(groups: readonly string[]): Readonly<Record<string, SchemaName>> {
  const out: Record<string, SchemaName> = {};
  for (const group of groups) {
    const [apiVersion, ...entries] = group.split(' ');
    for (const entry of entries) {
      const eq = entry.indexOf('=');
      const name = NAMES[Number(entry.slice(eq + 1))]!;
      out[\`\${apiVersion}/\${eq < 0 ? name.slice(name.lastIndexOf('.') + 1) : entry.slice(0, eq)}\`] = name;
    }
  }
  return out;
}

const built: { strict?: Schemas; loose?: Schemas } = {};

/** The schemas of one mode, built on first use and cached. */
export function schemas(mode: ValidationMode): Schemas {
  return (built[mode] ??= makeSchemas(mode === 'strict'));
}

/** The schema of a definition name (\`io.k8s.api.core.v1.Pod\`), or undefined. */
export function schemaByName(name: string, mode: ValidationMode = 'strict'): z.ZodMiniType | undefined {
  const all = schemas(mode) as unknown as Readonly<Record<string, z.ZodMiniType>>;
  return Object.hasOwn(all, name) ? all[name] : undefined;
}

/** The definition name for an apiVersion and kind (\`apps/v1\`, \`Deployment\`), or undefined. */
export function schemaNameFor(apiVersion: string, kind: string): SchemaName | undefined {
  const key = \`\${apiVersion}/\${kind}\`;
  return Object.hasOwn(kindSchemaNames, key) ? kindSchemaNames[key] : undefined;
}

/** The schema for an apiVersion and kind, or undefined for kinds not in the documents (custom resources). */
export function schemaFor(apiVersion: string, kind: string, mode: ValidationMode = 'strict'): z.ZodMiniType | undefined {
  const name = schemaNameFor(apiVersion, kind);
  return name === undefined ? undefined : schemaByName(name, mode);
}

/**
 * A yes/no check compiled by zod (\`z.compile\`: generated code that builds no output), for
 * checking many objects against one schema. Compiling costs more than one ordinary parse, so
 * it pays only for repeated checks. Where zod cannot compile (a recursive schema, no
 * \`new Function\`), zod's runtime answers instead; either way the answer is zod's.
 */
export function compiledCheck(schema: z.ZodMiniType): (value: unknown) => boolean {
  const compiled = z.compile(schema);
  return (value) => z.validate(compiled, value);
}
`;
  return { types, runtime };
}
