/**
 * The three patch formats the API server takes: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902) and strategic merge patch, which merges lists by the patch merge key the
 * OpenAPI spec names (containers by name, ports by containerPort) and honours the
 * `$patch`, `$retainKeys`, `$setElementOrder` and `$deleteFromPrimitiveList` directives.
 */
import { patchMeta, type PatchMetaEntry } from './patch-meta.js';
import { StatusFailure } from './status.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** RFC 7386: objects merge, null deletes, everything else (lists too) replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function patchError(message: string): StatusFailure {
  // The server answers a JSON patch it cannot apply with 422 and reason Invalid.
  return new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Invalid', code: 422 });
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchError(`the server rejected our request due to an error in our request: JSON pointer "${path}" must start with "/"`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Obj | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (next === undefined) throw patchError(`the server rejected our request due to an error in our request: doc is missing path: "${path}": missing value`);
    cur = next;
  }
  if (!isObj(cur) && !Array.isArray(cur)) throw patchError(`the server rejected our request due to an error in our request: doc is missing path: "${path}": missing value`);
  return { parent: cur, key: parts[parts.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let cur: Json | undefined = doc;
  for (const p of pointer(path)) cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
  if (cur === undefined) throw patchError(`the server rejected our request due to an error in our request: doc is missing path: "${path}": missing value`);
  return cur;
}

function index(arr: Json[], key: string, forAdd: boolean, path: string): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forAdd && i === arr.length)) {
    throw patchError(`the server rejected our request due to an error in our request: unable to access invalid index: ${key} in "${path}"`);
  }
  return i;
}

function addAt(doc: Json, path: string, value: Json): Json {
  const parts = pointer(path);
  if (parts.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true, path), 0, clone(value));
  else parent[key] = clone(value);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) parent.splice(index(parent, key, false, path), 1);
  else {
    if (!Object.hasOwn(parent, key)) throw patchError(`the server rejected our request due to an error in our request: Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

function equal(a: Json, b: Json): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k]!)]));
  return v;
}

/** RFC 6902; all-or-nothing: the document is copied first. */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch', reason: 'BadRequest', code: 400 });
  let doc = clone(target);
  for (const raw of ops as unknown[]) {
    const op = raw as { op?: string; path?: string; from?: string; value?: Json };
    const path = op.path ?? '';
    switch (op.op) {
      case 'add': doc = addAt(doc, path, op.value ?? null); break;
      case 'remove': doc = removeAt(doc, path); break;
      case 'replace': getAt(doc, path); doc = addAt(removeAt(doc, path), path, op.value ?? null); break;
      case 'move': { const v = getAt(doc, op.from ?? ''); doc = addAt(removeAt(doc, op.from ?? ''), path, v); break; }
      case 'copy': doc = addAt(doc, path, getAt(doc, op.from ?? '')); break;
      case 'test':
        if (!equal(getAt(doc, path), op.value ?? null)) throw patchError(`the server rejected our request due to an error in our request: testing value ${path} failed: test failed`);
        break;
      default: throw patchError(`the server rejected our request due to an error in our request: Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

/** Patch metadata of one property of a definition (empty when the spec names none). */
export function propMeta(def: string | undefined, prop: string): PatchMetaEntry | undefined {
  return def === undefined ? undefined : patchMeta[def]?.[prop];
}

/** A strategic merge patch of `target` for definition `def` (undefined: plain merge semantics). */
export function strategicMergePatch(target: Json | undefined, patch: Json, def: string | undefined): Json {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return {};
  const out: Obj = isObj(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) {
      const m = /^\$deleteFromPrimitiveList\/(.+)$/.exec(k);
      if (m && Array.isArray(out[m[1]!]) && Array.isArray(v)) out[m[1]!] = (out[m[1]!] as Json[]).filter((x) => !v.some((d) => equal(d, x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const meta = propMeta(def, k);
    const ref = meta?.[0] || undefined;
    if (Array.isArray(v) && meta?.[5] === 'l') out[k] = mergeList(out[k], v, meta, patch[`$setElementOrder/${k}`]);
    else if (isObj(v) && meta?.[5] === 'm') {
      const cur: Obj = isObj(out[k]) ? { ...(out[k] as Obj) } : {};
      for (const [mk, mv] of Object.entries(v)) {
        if (mv === null) delete cur[mk];
        else cur[mk] = strategicMergePatch(cur[mk], mv, ref);
      }
      out[k] = cur;
    } else if (isObj(v) && meta?.[3] !== 'atomic') out[k] = strategicMergePatch(out[k], v, ref);
    else out[k] = clone(v);
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.has(k)) delete out[k];
  return out;
}

function mergeList(current: Json | undefined, patch: Json[], meta: PatchMetaEntry, order: Json | undefined): Json[] {
  const [ref, mergeKey, strategy] = meta;
  const cur = Array.isArray(current) ? current : [];
  if (!strategy.split(',').includes('merge')) return clone(patch.filter((p) => !(isObj(p) && p.$patch !== undefined)));
  if (mergeKey === '') {
    // A merged list of primitives is a set union, order kept.
    const out = [...cur];
    for (const p of patch) if (!out.some((x) => equal(x, p))) out.push(clone(p));
    return out;
  }
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) return clone(patch.filter((p) => !(isObj(p) && p.$patch === 'replace')));
  const out = [...cur];
  for (const p of patch) {
    if (!isObj(p)) continue;
    const i = out.findIndex((x) => isObj(x) && equal(x[mergeKey] ?? null, p[mergeKey] ?? null));
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMergePatch(out[i], p, ref || undefined);
    else out.push(strategicMergePatch(undefined, p, ref || undefined));
  }
  if (Array.isArray(order)) {
    const rank = (x: Json): number => {
      const j = order.findIndex((o) => isObj(o) && isObj(x) && equal(o[mergeKey] ?? null, x[mergeKey] ?? null));
      return j < 0 ? order.length : j;
    };
    out.sort((a, b) => rank(a) - rank(b));
  }
  return out;
}
