/**
 * Validates Kubernetes objects against the generated schemas and reports problems the way a
 * person reads them: `spec.containers[0].imagee: unknown field "imagee" — did you mean
 * "image"?`. No I/O. The generated schemas (and zod, which they are written in) are loaded on
 * the first validation, not when kubefluent is imported: a program that only reads pays
 * nothing for them. Custom schemas are any Standard Schema (zod, valibot, arktype, …).
 */
import type { ValidationMode } from '../../generated/schema-types.js';
import { brand, KubefluentError, UsageError } from './errors.js';
import { removedApi, removedApiMessage } from './removed-apis.js';
import type { StandardSchemaV1 } from './standard-schema.js';

export type { ValidationMode };

type GeneratedSchemas = typeof import('../../generated/schemas.js');

/** One problem, at a path such as `spec.containers[0].image`. */
export interface ValidationIssue {
  /** `spec.containers[0].imagee`; `''` for the object itself. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** Options of {@link validate}. */
export interface ValidateOptions {
  /** `strict` (default): unknown fields are errors. `loose`: unknown fields pass (the server may be newer). */
  readonly mode?: ValidationMode;
  /** Validate against this schema instead of the one picked by apiVersion/kind (e.g. a custom resource's); async schemas are fine. */
  readonly schema?: StandardSchemaV1;
}

/** What {@link validate} found: ok, or the issues with their paths. */
export interface ValidationResult {
  readonly ok: boolean;
  readonly issues: readonly ValidationIssue[];
  /** False when no schema is known for the object's apiVersion/kind (custom resources): nothing was checked. */
  readonly checked: boolean;
}

/** Thrown by {@link assertValid}; `issues` lists every problem, and so does the message. */
export class ValidationError extends KubefluentError {
  static { brand(this, 'ValidationError'); }
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], subject = 'object') {
    const lines = issues.map((i) => `  - ${i.path === '' ? '(object)' : i.path}: ${i.message}`);
    super(`${subject} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, 'Invalid');
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

let loaded: GeneratedSchemas | undefined;
let loading: Promise<GeneratedSchemas> | undefined;

function schemaModule(): Promise<GeneratedSchemas> {
  loading ??= import('../../generated/schemas.js').then(
    (m) => (loaded = m),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/**
 * Loads the generated schemas (and zod). They are not loaded at import, to keep importing
 * kubefluent fast; the client and applyManifests load them on their first check. Await this
 * once before using {@link validate} or {@link assertValid} directly; it also makes the
 * builders' `build()` check its result. Later calls return at once.
 * @example await loadSchemas(); validate(manifest).issues
 */
export async function loadSchemas(): Promise<void> {
  await schemaModule();
}

const NOT_LOADED =
  'the generated schemas are not loaded yet: await loadSchemas() once before validate()/assertValid() (they load on demand so that importing kubefluent stays fast)';

/**
 * Formats an issue path: `['spec', 'containers', 0, 'image']` → `spec.containers[0].image`;
 * keys that are not identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`.
 * Segments may be Standard Schema's `{ key }` objects.
 */
export function formatPath(path: readonly (PropertyKey | StandardSchemaV1.PathSegment)[]): string {
  let out = '';
  for (const s of path) {
    const seg = typeof s === 'object' ? s.key : s;
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/**
 * Checks an object against the schema of its apiVersion/kind (or `options.schema`, which must
 * then be synchronous). The generated schemas must be loaded first: see {@link loadSchemas}.
 * @example await loadSchemas();
 *   validate({ apiVersion: 'v1', kind: 'Pod', spec: { contianers: [] } }).issues
 *   // [{ path: 'spec.containers', … }, { path: 'spec.contianers', message: 'unknown field … did you mean "containers"?' }]
 */
export function validate(obj: unknown, options: ValidateOptions = {}): ValidationResult {
  const picked = schemaOf(loaded, obj, options);
  if ('issues' in picked) return picked;
  if (options.schema === undefined && loaded && passesCompiled(loaded, picked.schema, obj)) return VALID;
  const result = picked.schema['~standard'].validate(obj);
  if (result instanceof Promise) {
    result.catch(() => undefined);
    throw new UsageError(
      `the ${picked.schema['~standard'].vendor} schema is asynchronous, and validate() is not: give it to a custom resource handle (kube.customResource({ …, schema })), which awaits it`,
    );
  }
  return interpret(result, obj, picked.schema);
}

const VALID: ValidationResult = Object.freeze({ ok: true, issues: Object.freeze([]) as readonly ValidationIssue[], checked: true });

/**
 * Checks of one generated schema so far, until it is compiled; then its compiled check.
 * A schema is compiled (zod's z.compile, ~150 ms for a Pod) only after it has been used
 * {@link COMPILE_AFTER} times: one write pays an ordinary parse (~1 ms), a bulk check of many
 * objects gets the compiled one (several times faster). Objects the compiled check rejects
 * are parsed again the ordinary way, which finds and explains every problem.
 */
const checks = new WeakMap<object, number | ((value: unknown) => boolean)>();
const COMPILE_AFTER = 64;

function passesCompiled(mod: GeneratedSchemas, schema: StandardSchemaV1, obj: unknown): boolean {
  const seen = checks.get(schema);
  if (typeof seen === 'function') return seen(obj);
  const uses = (seen ?? 0) + 1;
  if (uses < COMPILE_AFTER) {
    checks.set(schema, uses);
    return false;
  }
  const check = mod.compiledCheck(schema as Parameters<GeneratedSchemas['compiledCheck']>[0]);
  checks.set(schema, check);
  return check(obj);
}

/** Like {@link validate}, but throws a {@link ValidationError} naming every problem. */
export function assertValid(obj: unknown, options: ValidateOptions = {}): void {
  const r = validate(obj, options);
  if (!r.ok) throw new ValidationError(r.issues, subjectOf(obj));
}

/** {@link validate} for the client: loads the generated schemas when needed and awaits asynchronous schemas. */
export async function validateAsync(obj: unknown, options: ValidateOptions = {}): Promise<ValidationResult> {
  const picked = schemaOf(options.schema ? loaded : await schemaModule(), obj, options);
  if ('issues' in picked) return picked;
  if (options.schema === undefined && loaded && passesCompiled(loaded, picked.schema, obj)) return VALID;
  return interpret(await picked.schema['~standard'].validate(obj), obj, picked.schema);
}

/** {@link validate} for the builders, whose build() is synchronous: undefined (nothing checked) until the schemas are loaded. */
export function validateIfLoaded(obj: unknown, options: ValidateOptions = {}): ValidationResult | undefined {
  return loaded || options.schema ? validate(obj, options) : undefined;
}

/** A generated definition's schema (`io.k8s.api.core.v1.Volume`), or undefined while the schemas are not loaded. */
export function loadedSchemaByName(name: string, mode: ValidationMode = 'strict'): StandardSchemaV1 | undefined {
  if (!loaded) return undefined;
  const schema = loaded.schemaByName(name, mode);
  if (schema === undefined) throw new Error(`no schema for ${name}`);
  return schema;
}

/** `Pod "web"`, or `object` when kind/name are unknown. */
export function subjectOf(obj: unknown): string {
  if (!isRecord(obj)) return 'object';
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : 'object';
  const meta = obj['metadata'];
  const name = isRecord(meta) && typeof meta['name'] === 'string' ? ` ${JSON.stringify(meta['name'])}` : '';
  return `${kind}${name}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function interpret(result: StandardSchemaV1.Result<unknown>, obj: unknown, schema: StandardSchemaV1): ValidationResult {
  if (!result.issues) return { ok: true, issues: [], checked: true };
  // zod's issues carry a code and details (unknown keys, expected type, format) that make
  // better messages; other libraries' issues are taken as they are: message and path.
  const zod = schema['~standard'].vendor === 'zod';
  const issues = result.issues.flatMap((i): ValidationIssue[] => {
    const path = (i.path ?? []).map((s) => (typeof s === 'object' && s !== null ? s.key : s));
    return zod ? describe(i as ZodIssueView, path, obj, schema) : [{ path: formatPath(path), message: i.message }];
  });
  return { ok: false, issues, checked: true };
}

/** Built-in apiVersions and their kinds, to tell a misspelt kind from a custom resource. */
let builtinKinds: Map<string, string[]> | undefined;
function kindsOf(mod: GeneratedSchemas, apiVersion: string): string[] | undefined {
  if (!builtinKinds) {
    builtinKinds = new Map();
    for (const key of Object.keys(mod.kindSchemaNames)) {
      const slash = key.lastIndexOf('/');
      const av = key.slice(0, slash);
      builtinKinds.set(av, [...(builtinKinds.get(av) ?? []), key.slice(slash + 1)]);
    }
  }
  return builtinKinds.get(apiVersion);
}

function schemaOf(mod: GeneratedSchemas | undefined, obj: unknown, options: ValidateOptions): { schema: StandardSchemaV1 } | ValidationResult {
  if (options.schema) return { schema: options.schema };
  if (!mod) throw new UsageError(NOT_LOADED);
  return pickSchema(mod, obj, options.mode ?? 'strict');
}

function pickSchema(mod: GeneratedSchemas, obj: unknown, mode: ValidationMode): { schema: StandardSchemaV1 } | ValidationResult {
  const fail = (path: string, message: string): ValidationResult => ({ ok: false, issues: [{ path, message }], checked: false });
  if (!isRecord(obj)) return fail('', 'expected a Kubernetes object (a plain object with apiVersion and kind)');
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail('apiVersion', 'missing: set apiVersion (e.g. "v1", "apps/v1") so the object can be checked');
  if (typeof kind !== 'string' || kind === '') return fail('kind', 'missing: set kind (e.g. "Pod", "Deployment") so the object can be checked');
  const schema = mod.schemaFor(apiVersion, kind, mode);
  if (schema) return { schema };
  const removed = removedApi(apiVersion, kind);
  if (removed) return { ok: false, issues: [{ path: 'apiVersion', message: removedApiMessage(apiVersion, kind, removed) }], checked: true };
  const known = kindsOf(mod, apiVersion);
  if (known) {
    const hint = suggest(kind, known);
    return fail('kind', `unknown kind ${JSON.stringify(kind)} in ${apiVersion}${hint ? ` — did you mean ${JSON.stringify(hint)}?` : ''}`);
  }
  // A custom resource (or a group this release does not know): nothing to check against.
  return { ok: true, issues: [], checked: false };
}

/** The fields of a zod 4 issue this module reads (zod 3's differ; missing ones fall back to the message). */
interface ZodIssueView {
  readonly code?: string;
  readonly message: string;
  readonly keys?: readonly string[];
  readonly expected?: string;
  readonly format?: string;
  readonly pattern?: string;
  readonly errors?: readonly (readonly ZodIssueView[])[];
}

/** Turns one zod issue into readable issues (one per unknown key). */
function describe(issue: ZodIssueView, path: readonly PropertyKey[], input: unknown, schema: StandardSchemaV1): ValidationIssue[] {
  const at = (extra: PropertyKey[] = []): string => formatPath([...path, ...extra]);
  switch (issue.code) {
    case 'unrecognized_keys': {
      if (!issue.keys) break;
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => {
        const hint = known ? suggest(key, known) : undefined;
        const fix = hint ? `did you mean ${JSON.stringify(hint)}?` : 'remove it, or validate with mode "loose" if the server knows this field';
        return { path: at([key]), message: `unknown field ${JSON.stringify(key)} — ${fix}` };
      });
    }
    case 'invalid_type':
      if (valueAt(input, path) === undefined) return [{ path: at(), message: `required field is missing — set it (expected ${issue.expected ?? 'a value'})` }];
      return [{ path: at(), message: `${issue.message.replace(/^Invalid input: /, '')} — change the value's type` }];
    case 'invalid_format':
      if (issue.format === 'regex' && loaded && issue.pattern === loaded.QUANTITY_PATTERN.toString()) {
        return [{ path: at(), message: 'not a quantity — use a number or a string like "500m", "1.5", "128Mi", "2Gi"' }];
      }
      if (issue.format === 'base64') return [{ path: at(), message: 'not base64 — encode the value (for Secrets, or put plain text in stringData)' }];
      break;
    case 'invalid_union': {
      if (!issue.errors) break;
      const expected = [...new Set(issue.errors.flat().map((e) => (e.code === 'invalid_type' ? e.expected : e.code)))];
      return [{ path: at(), message: `expected ${expected.join(' or ')}` }];
    }
  }
  return [{ path: at(), message: issue.message }];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** Minimal view of zod 4 definitions, enough to walk down a path to an object's shape. */
interface ZodDefView {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  getter?: () => unknown;
}

function defOf(s: unknown): ZodDefView | undefined {
  const zod = (s as { _zod?: { def?: ZodDefView } } | undefined)?._zod;
  return zod?.def;
}

/** The keys the schema allows at `path`, for "did you mean" hints. */
function knownKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let cur: unknown = schema;
  for (let i = 0; i <= path.length; i++) {
    let def = defOf(cur);
    while (def && (def.type === 'optional' || def.type === 'nullable' || def.type === 'lazy')) {
      cur = def.type === 'lazy' ? def.getter?.() : def.innerType;
      def = defOf(cur);
    }
    if (!def) return undefined;
    if (i === path.length) return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
    const seg = path[i]!;
    if (def.type === 'object' && def.shape && typeof seg === 'string') cur = def.shape[seg];
    else if (def.type === 'array') cur = def.element;
    else if (def.type === 'record') cur = def.valueType;
    else return undefined;
  }
  return undefined;
}

/** The closest known name within a small edit distance (or a case-insensitive match). */
function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau–Levenshtein (optimal string alignment): a swap of two letters counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
