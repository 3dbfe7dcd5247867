/**
 * Field ownership for server-side apply: the leaf fields of an object, keyed by the path the
 * API server prints in apply conflicts (`.spec.replicas`,
 * `.spec.template.spec.containers[name="app"].image`). Lists the spec marks as maps (list map
 * keys, or a patch merge key) are tracked per item; other lists are one atomic field.
 */
import { isObj, type Json, propMeta } from './patches.js';

/** One step into an object: a field, or a list item by its key fields. */
export type Segment = { readonly f: string } | { readonly k: Readonly<Record<string, Json>> };

export interface Leaf {
  readonly segments: readonly Segment[];
  /** The value's JSON, to see whether two writers agree. */
  readonly value: string;
}

/** Leaves by path. */
export type FieldSet = Map<string, Leaf>;

function keysOf(def: string | undefined, prop: string): string[] | undefined {
  const meta = propMeta(def, prop);
  if (!meta || meta[5] !== 'l') return undefined;
  if (meta[4] !== '') return meta[4].split(',');
  if (meta[1] !== '' && meta[2].includes('merge')) return [meta[1]];
  return undefined;
}

function keyText(k: Readonly<Record<string, Json>>): string {
  return Object.entries(k).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(',');
}

export function pathText(segments: readonly Segment[]): string {
  return segments.map((s) => ('f' in s ? `.${s.f}` : `[${keyText(s.k)}]`)).join('');
}

/** Every leaf of `obj` under definition `def`; `skip` names top-level fields not tracked. */
export function leavesOf(obj: Json, def: string | undefined, skip: ReadonlySet<string> = new Set()): FieldSet {
  const out: FieldSet = new Map();
  const walk = (v: Json, d: string | undefined, segs: Segment[], atomic: boolean): void => {
    if (isObj(v) && !atomic && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) {
        if (segs.length === 0 && skip.has(k)) continue;
        const meta = propMeta(d, k);
        const ref = meta?.[0] || undefined;
        const s = [...segs, { f: k }];
        const listKeys = keysOf(d, k);
        if (Array.isArray(child) && listKeys && child.every(isObj)) {
          if (child.length === 0) out.set(pathText(s), { segments: s, value: '[]' });
          for (const item of child as Record<string, Json>[]) {
            const key = Object.fromEntries(listKeys.filter((n) => item[n] !== undefined).map((n) => [n, item[n]!]));
            walk(item, ref, [...s, { k: key }], false);
          }
        } else if (isObj(child) && meta?.[5] === 'm') {
          if (Object.keys(child).length === 0) out.set(pathText(s), { segments: s, value: '{}' });
          for (const [mk, mv] of Object.entries(child)) walk(mv, ref, [...s, { f: mk }], false);
        } else walk(child, ref, s, meta?.[3] === 'atomic');
      }
      return;
    }
    if (segs.length > 0) out.set(pathText(segs), { segments: segs, value: JSON.stringify(v) });
  };
  walk(obj, def, [], false);
  return out;
}

/** Renders a field set as the API server's FieldsV1 JSON. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, Record<string, unknown>> = {};
  for (const leaf of set.values()) {
    let node: Record<string, unknown> = root;
    leaf.segments.forEach((s, i) => {
      const name = 'f' in s ? `f:${s.f}` : `k:${JSON.stringify(s.k)}`;
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
      if (i < leaf.segments.length - 1 && Object.keys(node).length === 0) node['.'] = {};
    });
  }
  return root;
}

/** Removes the field at `segments` from `obj` (in place); lists lose the keyed item. */
export function removePath(obj: Json, segments: readonly Segment[]): void {
  let cur: Json | undefined = obj;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if ('f' in s) {
      if (!isObj(cur)) return;
      if (last) {
        delete cur[s.f];
        return;
      }
      cur = cur[s.f];
    } else {
      if (!Array.isArray(cur)) return;
      const j = cur.findIndex((x) => isObj(x) && Object.entries(s.k).every(([n, v]) => JSON.stringify(x[n]) === JSON.stringify(v)));
      if (j < 0) return;
      if (last) {
        cur.splice(j, 1);
        return;
      }
      cur = cur[j];
    }
  }
}

/** Merges an applied configuration into the live object: maps recurse, keyed lists merge by key, other lists replace. */
export function mergeApplied(live: Json | undefined, applied: Json, def: string | undefined): Json {
  if (!isObj(applied) || !isObj(live)) return structuredClone(applied);
  const out: Record<string, Json> = { ...live };
  for (const [k, v] of Object.entries(applied)) {
    const meta = propMeta(def, k);
    const ref = meta?.[0] || undefined;
    const listKeys = keysOf(def, k);
    if (Array.isArray(v) && listKeys && Array.isArray(out[k])) {
      const cur = [...(out[k] as Json[])];
      for (const item of v) {
        if (!isObj(item)) continue;
        const j = cur.findIndex((x) => isObj(x) && listKeys.every((n) => JSON.stringify(x[n]) === JSON.stringify(item[n])));
        if (j >= 0) cur[j] = mergeApplied(cur[j], item, ref);
        else cur.push(structuredClone(item));
      }
      out[k] = cur;
    } else if (isObj(v) && meta?.[5] === 'm' && isObj(out[k])) {
      const cur: Record<string, Json> = { ...(out[k] as Record<string, Json>) };
      for (const [mk, mv] of Object.entries(v)) cur[mk] = mergeApplied(cur[mk], mv, ref);
      out[k] = cur;
    } else if (isObj(v) && meta?.[3] !== 'atomic') out[k] = mergeApplied(out[k], v, ref);
    else out[k] = structuredClone(v);
  }
  return out;
}
