/**
 * metadata.managedFields as the API server keeps them: every write records which manager
 * set which fields; an update takes the fields it changed from their previous owners; an
 * apply owns exactly what it sent, removes what it sent before and no longer sends (unless
 * another manager still owns it), and conflicts when it would change a value someone else
 * owns (a 409 naming each field and owner), unless forced.
 */
import { applyConflict } from './status.js';
import { type FieldSet, leavesOf, mergeApplied, removePath, toFieldsV1 } from './field-sets.js';
import { isObj, type Json } from './patches.js';

export interface ManagerEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  /** '' for the main resource, 'status' or 'scale' for a subresource. */
  readonly subresource: string;
  fields: FieldSet;
}

const TRACKED_META = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/** The part of an object a write to `subresource` owns fields in. */
function tracked(obj: Json | undefined, subresource: string): Json {
  if (!isObj(obj)) return {};
  if (subresource === 'status') return isObj(obj.status) ? { status: obj.status } : {};
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata' && isObj(v)) {
      const m = Object.fromEntries(TRACKED_META.filter((f) => v[f] !== undefined).map((f) => [f, v[f]!]));
      if (Object.keys(m).length > 0) out.metadata = m;
      continue;
    }
    out[k] = v;
  }
  return out;
}

function scopeOf(subresource: string): string {
  return subresource === 'status' ? 'status' : '';
}

/** Records an update (create, replace, patch) by `manager`. */
export function recordUpdate(entries: ManagerEntry[], manager: string, apiVersion: string, time: string, subresource: string, before: Json | undefined, after: Json, def: string | undefined): ManagerEntry[] {
  const scope = scopeOf(subresource);
  const oldLeaves = leavesOf(tracked(before, scope), def);
  const newLeaves = leavesOf(tracked(after, scope), def);
  const changed: FieldSet = new Map();
  for (const [p, leaf] of newLeaves) if (oldLeaves.get(p)?.value !== leaf.value) changed.set(p, leaf);
  const removed = [...oldLeaves.keys()].filter((p) => !newLeaves.has(p));
  const out: ManagerEntry[] = [];
  for (const e of entries) {
    if (e.subresource !== scope) {
      out.push(e);
      continue;
    }
    const fields = new Map(e.fields);
    for (const p of removed) fields.delete(p);
    for (const p of changed.keys()) fields.delete(p);
    // Everything an owner owns that was changed moved to the updater.
    out.push({ ...e, fields });
  }
  if (changed.size > 0) {
    let mine = out.find((e) => e.manager === manager && e.operation === 'Update' && e.subresource === scope);
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, time, subresource: scope, fields: new Map() };
      out.push(mine);
    }
    for (const [p, leaf] of changed) mine.fields.set(p, leaf);
    mine.time = time;
    mine.apiVersion = apiVersion;
  }
  return out.filter((e) => e.fields.size > 0);
}

export interface ApplyInput {
  readonly entries: ManagerEntry[];
  readonly manager: string;
  readonly apiVersion: string;
  readonly time: string;
  readonly subresource: string;
  readonly live: Json | undefined;
  readonly applied: Json;
  readonly def: string | undefined;
  readonly force: boolean;
}

/** Server-side apply: the new object and ownership, or a 409 StatusFailure listing the conflicts. */
export function serverSideApply(input: ApplyInput): { object: Json; entries: ManagerEntry[] } {
  const scope = scopeOf(input.subresource);
  const appliedLeaves = leavesOf(tracked(input.applied, scope), input.def);
  const liveLeaves = leavesOf(tracked(input.live, scope), input.def);
  const conflicts: { field: string; manager: string; apiVersion: string }[] = [];
  const forced = new Set<string>();
  for (const e of input.entries) {
    if (e.subresource !== scope || (e.manager === input.manager && e.operation === 'Apply')) continue;
    for (const [p, leaf] of appliedLeaves) {
      if (!e.fields.has(p)) continue;
      const current = liveLeaves.get(p);
      if (current === undefined || current.value === leaf.value) continue;
      if (input.force) forced.add(p);
      else conflicts.push({ field: p, manager: e.manager, apiVersion: e.apiVersion });
    }
  }
  if (conflicts.length > 0) throw applyConflict(conflicts);
  const previous = input.entries.find((e) => e.manager === input.manager && e.operation === 'Apply' && e.subresource === scope);
  const entries: ManagerEntry[] = [];
  for (const e of input.entries) {
    if (e === previous) continue;
    if (e.subresource === scope && forced.size > 0) {
      const fields = new Map(e.fields);
      for (const p of forced) fields.delete(p);
      entries.push({ ...e, fields });
    } else entries.push(e);
  }
  let object = structuredClone(input.live ?? {}) as Json;
  // Fields this manager applied before and no longer applies go, unless someone else owns them.
  for (const [p, leaf] of previous?.fields ?? []) {
    if (appliedLeaves.has(p) || entries.some((e) => e.subresource === scope && e.fields.has(p))) continue;
    removePath(object, leaf.segments);
  }
  object = mergeApplied(object, input.applied, input.def);
  entries.push({ manager: input.manager, operation: 'Apply', apiVersion: input.apiVersion, time: input.time, subresource: scope, fields: appliedLeaves });
  return { object, entries: entries.filter((e) => e.fields.size > 0) };
}

/** The metadata.managedFields list for the entries. */
export function renderManagedFields(entries: readonly ManagerEntry[]): Json[] {
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(e.fields) as Json,
    ...(e.subresource !== '' ? { subresource: e.subresource } : {}),
  }));
}
