/**
 * What kube-controller-manager would do for the objects in the fake: the garbage collector
 * (dependents whose owners are all gone are deleted; foreground deletion removes the
 * dependents first, then the owner) and the namespace controller (a terminating namespace's
 * contents are deleted, then the namespace). It runs after the write that triggered it,
 * in the background, as the real one does: tests wait for its effects, as they must on a cluster.
 */
import { keyOf, metaOf, type StoredObject } from './object-store.js';
import { clone, isObj, type Json } from './patches.js';
import { commit, remove, resourceOfStored, type ServerState } from './writes.js';

const GC_MANAGER = { manager: 'kube-controller-manager', dryRun: false, subresource: '' };

function ownerUids(s: StoredObject): string[] {
  const refs = metaOf(s.object).ownerReferences;
  return Array.isArray(refs) ? refs.filter(isObj).map((r) => String(r.uid)) : [];
}

function deleting(s: StoredObject): boolean {
  return metaOf(s.object).deletionTimestamp !== undefined;
}

function deleteIt(state: ServerState, s: StoredObject, policy: 'Background' | 'Foreground' = 'Background'): boolean {
  const res = resourceOfStored(state, s);
  if (!res || deleting(s)) return false;
  const meta = metaOf(s.object);
  remove(state, res, typeof meta.namespace === 'string' ? meta.namespace : undefined, String(meta.name), { dryRun: false, propagationPolicy: policy });
  return true;
}

function dropFinalizer(state: ServerState, s: StoredObject, finalizer: string): void {
  const res = resourceOfStored(state, s);
  if (!res) return;
  const next = clone(s.object);
  const meta = metaOf(s.object);
  next.metadata = { ...meta, finalizers: (Array.isArray(meta.finalizers) ? meta.finalizers : []).filter((f) => f !== finalizer) };
  commit(state, res, s, next, GC_MANAGER);
}

/** One full pass; true when it changed something (the caller runs another). */
export function collectOnce(state: ServerState): boolean {
  const all = [...state.store.everything()];
  const uids = new Set(all.map((s) => String(metaOf(s.object).uid)));
  let changed = false;
  for (const s of all) {
    const owners = ownerUids(s);
    if (owners.length > 0 && owners.every((u) => !uids.has(u))) changed = deleteIt(state, s) || changed;
  }
  for (const s of all) {
    const meta = metaOf(s.object);
    if (!deleting(s)) continue;
    const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
    if (finalizers.includes('foregroundDeletion')) {
      const dependents = all.filter((d) => ownerUids(d).includes(String(meta.uid)) && state.store.get(d.storage, keyOf(metaOf(d.object).namespace as string | undefined, String(metaOf(d.object).name))) !== undefined);
      for (const d of dependents) changed = deleteIt(state, d, 'Foreground') || changed;
      if (dependents.length === 0) {
        dropFinalizer(state, s, 'foregroundDeletion');
        changed = true;
      }
    }
    if (s.storage === '/namespaces') {
      const ns = String(meta.name);
      const contents = all.filter((o) => metaOf(o.object).namespace === ns && state.store.get(o.storage, keyOf(ns, String(metaOf(o.object).name))));
      for (const o of contents) changed = deleteIt(state, o) || changed;
      if (contents.length === 0) {
        const res = resourceOfStored(state, s);
        if (res && state.store.get('/namespaces', ns)) {
          const next = clone(s.object);
          next.spec = { finalizers: [] as Json[] };
          next.metadata = { ...meta };
          delete (next.metadata as Record<string, Json>).finalizers;
          commit(state, res, s, next, GC_MANAGER);
          changed = true;
        }
      }
    }
  }
  return changed;
}

/** Runs passes until nothing changes (bounded, so a bug cannot spin forever). */
export function collect(state: ServerState): void {
  for (let i = 0; i < 100 && collectOnce(state); i++);
}
