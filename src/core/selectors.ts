import { UsageError } from './errors.js';

/** A `meta/v1` LabelSelector, as found in Deployment.spec.selector. */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
    readonly values?: readonly string[];
  }[];
}

/**
 * Anything accepted where a label selector goes: a raw string (`'app=web,tier!=db'`),
 * a map (`{ app: 'web', tier: ['a', 'b'] }` — an array means `in`), a LabelSelector object,
 * or a {@link LabelSelector} builder.
 */
export type LabelSelectorInput = string | Readonly<Record<string, string | readonly string[]>> | LabelSelectorObject | LabelSelector;

// Label keys: optional DNS prefix + '/' + name; values: up to 63 chars of [A-Za-z0-9_.-].
const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function key(k: string): string {
  if (!KEY.test(k)) throw new UsageError(`invalid label key ${JSON.stringify(k)}`);
  return k;
}
function value(v: string): string {
  if (v.length > 63 || !VALUE.test(v)) throw new UsageError(`invalid label value ${JSON.stringify(v)}`);
  return v;
}

/**
 * An immutable label selector builder; each method returns a new selector.
 *
 * @example labelSelector().eq('app', 'web').in('tier', ['fe', 'be']).exists('team').toString()
 *   // 'app=web,tier in (be,fe),team'
 */
export class LabelSelector {
  readonly #terms: readonly string[];
  private constructor(terms: readonly string[]) {
    this.#terms = terms;
  }
  /** An empty selector (matches everything). */
  static empty(): LabelSelector {
    return new LabelSelector([]);
  }
  #with(term: string): LabelSelector {
    return new LabelSelector([...this.#terms, term]);
  }
  /** Adds `key=value`. */
  eq(k: string, v: string): LabelSelector { return this.#with(`${key(k)}=${value(v)}`); }
  /** Adds `key!=value`. */
  notEq(k: string, v: string): LabelSelector { return this.#with(`${key(k)}!=${value(v)}`); }
  /** Adds `key in (values)`. */
  in(k: string, vs: readonly string[]): LabelSelector {
    if (vs.length === 0) throw new UsageError(`label selector "${k} in ()" needs at least one value`);
    return this.#with(`${key(k)} in (${[...vs].map(value).sort().join(',')})`);
  }
  /** Adds `key notin (values)`. */
  notIn(k: string, vs: readonly string[]): LabelSelector {
    if (vs.length === 0) throw new UsageError(`label selector "${k} notin ()" needs at least one value`);
    return this.#with(`${key(k)} notin (${[...vs].map(value).sort().join(',')})`);
  }
  /** Adds `key` (the label is set). */
  exists(k: string): LabelSelector { return this.#with(key(k)); }
  /** Adds `!key` (the label is not set). */
  notExists(k: string): LabelSelector { return this.#with(`!${key(k)}`); }
  /** The selector as the API server takes it. */
  toString(): string { return this.#terms.join(','); }
}

/** Starts a label selector builder. */
export function labelSelector(): LabelSelector {
  return LabelSelector.empty();
}

function isSelectorObject(input: object): input is LabelSelectorObject {
  const keys = Object.keys(input);
  return keys.length > 0 && keys.every((k) => k === 'matchLabels' || k === 'matchExpressions');
}

/** Turns any {@link LabelSelectorInput} into the query-string form the API server takes. */
export function formatLabelSelector(input: LabelSelectorInput): string {
  if (typeof input === 'string') return input;
  if (input instanceof LabelSelector) return input.toString();
  let sel = LabelSelector.empty();
  if (isSelectorObject(input)) {
    for (const [k, v] of Object.entries(input.matchLabels ?? {})) sel = sel.eq(k, v);
    for (const e of input.matchExpressions ?? []) {
      switch (e.operator) {
        case 'In': sel = sel.in(e.key, e.values ?? []); break;
        case 'NotIn': sel = sel.notIn(e.key, e.values ?? []); break;
        case 'Exists': sel = sel.exists(e.key); break;
        case 'DoesNotExist': sel = sel.notExists(e.key); break;
        default: throw new UsageError(`unknown label selector operator ${JSON.stringify(e.operator)}`);
      }
    }
    return sel.toString();
  }
  for (const [k, v] of Object.entries(input as Readonly<Record<string, string | readonly string[]>>)) {
    sel = typeof v === 'string' ? sel.eq(k, v) : sel.in(k, v);
  }
  return sel.toString();
}

/** Field names every resource supports, plus common per-kind ones; any string is allowed. */
export type FieldSelectorKey =
  | 'metadata.name' | 'metadata.namespace' | 'status.phase' | 'spec.nodeName'
  | 'spec.restartPolicy' | 'spec.schedulerName' | 'spec.serviceAccountName' | 'status.podIP'
  | 'type' | 'involvedObject.name' | 'involvedObject.kind' | 'involvedObject.namespace'
  | (string & {});

/**
 * A field selector: a raw string, a map of equalities (`{ 'status.phase': 'Running' }`),
 * or a {@link FieldSelector} builder.
 */
export type FieldSelectorInput = string | Partial<Readonly<Record<FieldSelectorKey, string>>> | FieldSelector;

function escapeField(v: string): string {
  if (typeof v !== 'string') throw new UsageError(`field selector values must be strings, got ${typeof v}`);
  // The server unescapes \, ',' and '=' in field selector values.
  return v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

// A field path such as `metadata.name` or `involvedObject.kind`: letters, digits, '.', '_',
// '-' and '/'. Anything else (',', '=', '!', spaces) would end the term or start another.
const FIELD_KEY = /^[A-Za-z0-9_]([-A-Za-z0-9_./]*[A-Za-z0-9_])?$/;

function fieldKey(k: string): string {
  if (typeof k !== 'string' || !FIELD_KEY.test(k)) {
    throw new UsageError(`invalid field selector key ${JSON.stringify(k)}: use a field path such as 'metadata.name' or 'status.phase' (letters, digits, '.', '_', '-', '/')`);
  }
  return k;
}

/** An immutable field selector builder. @example fieldSelector().eq('status.phase', 'Running') */
export class FieldSelector {
  readonly #terms: readonly string[];
  private constructor(terms: readonly string[]) {
    this.#terms = terms;
  }
  /** A field selector with no terms. */
  static empty(): FieldSelector {
    return new FieldSelector([]);
  }
  /** Adds `field=value`. */
  eq(field: FieldSelectorKey, v: string): FieldSelector {
    return new FieldSelector([...this.#terms, `${fieldKey(field)}=${escapeField(v)}`]);
  }
  /** Adds `field!=value`. */
  notEq(field: FieldSelectorKey, v: string): FieldSelector {
    return new FieldSelector([...this.#terms, `${fieldKey(field)}!=${escapeField(v)}`]);
  }
  /** The selector as the API server takes it. */
  toString(): string { return this.#terms.join(','); }
}

/** Starts a field selector builder. */
export function fieldSelector(): FieldSelector {
  return FieldSelector.empty();
}

/** Turns any {@link FieldSelectorInput} into its query-string form. */
export function formatFieldSelector(input: FieldSelectorInput): string {
  if (typeof input === 'string') return input;
  if (input instanceof FieldSelector) return input.toString();
  let sel = FieldSelector.empty();
  for (const [k, v] of Object.entries(input)) if (v !== undefined) sel = sel.eq(k, v);
  return sel.toString();
}
