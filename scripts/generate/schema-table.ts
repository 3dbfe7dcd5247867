/**
 * The runtime half of generated/schemas.ts: the schema table (TABLE_FORMAT), the definition
 * names and kinds packed beside it, and the reader that turns an entry into zod/mini calls on
 * first use. emit-zod.ts encodes each definition; this module lays the file out.
 */

/** Property names the table writes bare; the characters after them (`?`, `:`, `^`, `}`) are its syntax. */
export const BARE_KEY = /^[A-Za-z_$][\w$.-]*$/;

/**
 * How generated/schemas.ts writes the schemas: one string per definition (in name order), a
 * zod expression in prefix form, which the file's `read` turns into the same zod calls the
 * code form made (`z.strictObject({ a: z.nullish(z.string()) })` ⇐ `{a?s}`), when the
 * definition is first used. Measured in a one-file bundle: the code form was 28.7 kB gzipped,
 * the table with its names, kinds and reader is 16 kB.
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

/** For each name, the index where its run of consecutive names of one package starts (as the file's PACKAGE_START). */
export function packageRuns(names: readonly string[]): number[] {
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
 * that does not read to its end is a bug of emit-zod.ts, caught here rather than at first use.
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

/** What the runtime file is made of. */
export interface SchemaTableInput {
  /** Definition names, sorted: an entry's index is its place here. */
  readonly names: readonly string[];
  /** Each definition's table entry (TABLE_FORMAT), by index. */
  readonly entries: readonly string[];
  /** Enum values and literal unions the entries' `E`/`L` operators point at. */
  readonly literals: readonly unknown[][];
  /** \`<apiVersion>/<kind>\` → definition name. */
  readonly kinds: ReadonlyMap<string, string>;
  /** The Quantity grammar, as regular-expression source. */
  readonly quantityRegex: string;
}

/** The body (without the file header) of generated/schemas.ts. */
export function emitSchemaTable(input: SchemaTableInput): string {
  const { names, entries, literals, kinds, quantityRegex } = input;
  const ops = new Set<string>();
  for (const entry of entries) collectOps(entry, ops);
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
  for (const key of [...kinds.keys()].sort()) {
    const slash = key.lastIndexOf('/');
    const [apiVersion, kind] = [key.slice(0, slash), key.slice(slash + 1)];
    const name = kinds.get(key)!;
    const entry = name.endsWith(`.${kind}`) ? `${index.get(name)!}` : `${kind}=${index.get(name)!}`;
    if (apiVersion !== group) groups.push(`${(group = apiVersion)} ${entry}`);
    else groups[groups.length - 1] += ` ${entry}`;
  }
  return `// zod/mini: the same core as \`zod\` (parsing, issues, messages, z.compile), without the classic
// API's methods and JSON Schema support, which these schemas do not use: a smaller bundle.
// \`import * as z\` rather than \`import { z }\`, and one locale: no other locales in bundles.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import type { SchemaName, Schemas, ValidationMode } from './schema-types.js';

export type { SchemaName, Schemas, ValidationMode };

/** The k8s quantity grammar: a signed decimal, then a binary-SI (Ki…Ei) or decimal-SI (n, u, m, k, M, G, T, P, E) suffix or an exponent. */
export const QUANTITY_PATTERN: RegExp = /${quantityRegex}/;

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
${entries.map((e) => `  ${JSON.stringify(e)},`).join('\n')}
];

${ops.has('E') || ops.has('L') ? `/** Enum values and literal unions of the table. */
const LITERALS: readonly (readonly z.core.util.Literal[])[] = ${JSON.stringify(literals)};
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
}
