/**
 * Index functions for an informer's store: each maps an object to the index values it
 * is found under (none, one or several).
 */
import type { HasMetadata } from './object-meta.js';

/** Maps an object to the values it is indexed under. */
export type IndexFunc<T> = (object: T) => readonly string[];

/** By namespace ('' for cluster-scoped objects). */
export function byNamespace<T extends HasMetadata>(object: T): readonly string[] {
  return [object.metadata?.namespace ?? ''];
}

/** By the value of one label; objects without the label are not indexed. */
export function byLabel<T extends HasMetadata>(key: string): IndexFunc<T> {
  return (object) => {
    const v = object.metadata?.labels?.[key];
    return v === undefined ? [] : [v];
  };
}

/** By owner UID (every ownerReference), to find what a controller's object owns. */
export function byOwnerUid<T extends HasMetadata>(object: T): readonly string[] {
  return (object.metadata?.ownerReferences ?? []).map((r) => r.uid);
}

/** By owner `Kind/name` (every ownerReference), when the owner's UID is not at hand. */
export function byOwner<T extends HasMetadata>(object: T): readonly string[] {
  return (object.metadata?.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);
}

/** The built-in index functions, for `indexers: { namespace: indexers.namespace, app: indexers.label('app') }`. */
export const indexers = {
  /** By namespace ('' for cluster-scoped objects). */
  namespace: byNamespace,
  /** By the value of one label. */
  label: byLabel,
  /** By owner `Kind/name`. */
  owner: byOwner,
  /** By owner UID. */
  ownerUid: byOwnerUid,
} as const;
