/**
 * Validates Kubernetes objects against the generated zod schemas and reports problems the
 * way a person reads them: `spec.containers[0].imagee: unknown field "imagee" — did you mean
 * "image"?`. No I/O; the schemas come from generated/schemas.ts.
 */
import type * as z from 'zod';
import { kindSchemaNames, QUANTITY_PATTERN, schemaFor, type ValidationMode } from '../../generated/schemas.js';
import { KubefluentError } from './errors.js';

export type { ValidationMode };

/** One problem, at a path such as `spec.containers[0].image`. */
export interface ValidationIssue {
  /** `spec.containers[0].imagee`; `''` for the object itself. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

export interface ValidateOptions {
  /** `strict` (default): unknown fields are errors. `loose`: unknown fields pass (the server may be newer). */
  readonly mode?: ValidationMode;
  /** Validate against this schema instead of the one picked by apiVersion/kind (e.g. a custom resource's). */
  readonly schema?: z.ZodType;
}

export interface ValidationResult {
  readonly ok: boolean;
  readonly issues: readonly ValidationIssue[];
  /** False when no schema is known for the object's apiVersion/kind (custom resources): nothing was checked. */
  readonly checked: boolean;
}

/** Thrown by {@link assertValid}; `issues` lists every problem, and so does the message. */
export class ValidationError extends KubefluentError {
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], subject = 'object') {
    const lines = issues.map((i) => `  - ${i.path === '' ? '(object)' : i.path}: ${i.message}`);
    super(`${subject} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, 'Invalid');
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/**
 * Formats a zod issue path: `['spec', 'containers', 0, 'image']` → `spec.containers[0].image`;
 * keys that are not identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/**
 * Checks an object against the schema of its apiVersion/kind (or `options.schema`).
 * @example validate({ apiVersion: 'v1', kind: 'Pod', spec: { contianers: [] } }).issues
 *   // [{ path: 'spec.containers', … }, { path: 'spec.contianers', message: 'unknown field … did you mean "containers"?' }]
 */
export function validate(obj: unknown, options: ValidateOptions = {}): ValidationResult {
  const mode = options.mode ?? 'strict';
  let schema = options.schema;
  if (!schema) {
    const picked = pickSchema(obj, mode);
    if ('issues' in picked) return picked;
    schema = picked.schema;
  }
  const result = schema.safeParse(obj);
  if (result.success) return { ok: true, issues: [], checked: true };
  const issues = result.error.issues.flatMap((i) => describe(i, obj, schema));
  return { ok: false, issues, checked: true };
}

/** Like {@link validate}, but throws a {@link ValidationError} naming every problem. */
export function assertValid(obj: unknown, options: ValidateOptions = {}): void {
  const r = validate(obj, options);
  if (!r.ok) throw new ValidationError(r.issues, subjectOf(obj));
}

/** `Pod "web"`, or `object` when kind/name are unknown. */
function subjectOf(obj: unknown): string {
  if (!isRecord(obj)) return 'object';
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : 'object';
  const meta = obj['metadata'];
  const name = isRecord(meta) && typeof meta['name'] === 'string' ? ` ${JSON.stringify(meta['name'])}` : '';
  return `${kind}${name}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Built-in apiVersions and their kinds, to tell a misspelt kind from a custom resource. */
let builtinKinds: Map<string, string[]> | undefined;
function kindsOf(apiVersion: string): string[] | undefined {
  if (!builtinKinds) {
    builtinKinds = new Map();
    for (const key of Object.keys(kindSchemaNames)) {
      const slash = key.lastIndexOf('/');
      const av = key.slice(0, slash);
      builtinKinds.set(av, [...(builtinKinds.get(av) ?? []), key.slice(slash + 1)]);
    }
  }
  return builtinKinds.get(apiVersion);
}

function pickSchema(obj: unknown, mode: ValidationMode): { schema: z.ZodType } | ValidationResult {
  const fail = (path: string, message: string): ValidationResult => ({ ok: false, issues: [{ path, message }], checked: false });
  if (!isRecord(obj)) return fail('', 'expected a Kubernetes object (a plain object with apiVersion and kind)');
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail('apiVersion', 'missing: set apiVersion (e.g. "v1", "apps/v1") so the object can be checked');
  if (typeof kind !== 'string' || kind === '') return fail('kind', 'missing: set kind (e.g. "Pod", "Deployment") so the object can be checked');
  const schema = schemaFor(apiVersion, kind, mode);
  if (schema) return { schema };
  const known = kindsOf(apiVersion);
  if (known) {
    const hint = suggest(kind, known);
    return fail('kind', `unknown kind ${JSON.stringify(kind)} in ${apiVersion}${hint ? ` — did you mean ${JSON.stringify(hint)}?` : ''}`);
  }
  // A custom resource (or a group this release does not know): nothing to check against.
  return { ok: true, issues: [], checked: false };
}

/** Turns one zod issue into readable issues (one per unknown key). */
function describe(issue: z.core.$ZodIssue, input: unknown, schema: z.ZodType): ValidationIssue[] {
  const at = (extra: PropertyKey[] = []): string => formatPath([...issue.path, ...extra]);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, issue.path);
      return issue.keys.map((key) => {
        const hint = known ? suggest(key, known) : undefined;
        const fix = hint ? `did you mean ${JSON.stringify(hint)}?` : 'remove it, or validate with mode "loose" if the server knows this field';
        return { path: at([key]), message: `unknown field ${JSON.stringify(key)} — ${fix}` };
      });
    }
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined) return [{ path: at(), message: `required field is missing — set it (expected ${issue.expected})` }];
      return [{ path: at(), message: `${issue.message.replace(/^Invalid input: /, '')} — change the value's type` }];
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern === QUANTITY_PATTERN.toString()) {
        return [{ path: at(), message: 'not a quantity — use a number or a string like "500m", "1.5", "128Mi", "2Gi"' }];
      }
      if (issue.format === 'base64') return [{ path: at(), message: 'not base64 — encode the value (for Secrets, or put plain text in stringData)' }];
      return [{ path: at(), message: issue.message }];
    case 'invalid_union': {
      const expected = [...new Set(issue.errors.flat().map((e) => (e.code === 'invalid_type' ? e.expected : e.code)))];
      return [{ path: at(), message: `expected ${expected.join(' or ')}` }];
    }
    default:
      return [{ path: at(), message: issue.message }];
  }
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
