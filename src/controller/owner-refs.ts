/**
 * Owner references: who owns an object, and which owner is its controller. Set with the
 * checks the garbage collector will not do for you: an owner in another namespace, or a
 * namespaced owner of a cluster-scoped object, is silently ignored by the API server (the
 * dependent is then deleted or orphaned unexpectedly), so both are refused here.
 */
import type { OwnerReference } from '../../generated/models.js';
import { brand, KubefluentError } from '../core/errors.js';

/** What an owner must carry: apiVersion, kind, name and uid (read it from the server or the cache first). */
export interface OwnerLike {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly metadata?: { readonly name?: string | undefined; readonly namespace?: string | undefined; readonly uid?: string | undefined } | undefined;
}

/** Anything with metadata that may hold ownerReferences. */
export interface Ownable {
  metadata?: { name?: string; namespace?: string; ownerReferences?: OwnerReference[] } | undefined;
}

/** Why an owner reference cannot be set: the owner lacks apiVersion/kind/name/uid, is in another namespace, is namespaced while the object has no namespace, or another controller owns the object already. */
export type OwnerReferenceReason = 'IncompleteOwner' | 'CrossNamespaceOwner' | 'ClusterScopedDependent' | 'AlreadyOwned';

/** An owner reference that cannot be set; `reason` says which rule it breaks. */
export class OwnerReferenceError extends KubefluentError {
  static { brand(this, 'OwnerReferenceError'); }
  declare readonly reason: OwnerReferenceReason;
  constructor(message: string, reason: OwnerReferenceReason) {
    super(message, reason);
    this.name = 'OwnerReferenceError';
  }
}

function describe(o: OwnerLike): string {
  const m = o.metadata;
  return `${o.kind ?? '?'} ${m?.namespace ? `${m.namespace}/` : ''}${m?.name ?? '?'}`;
}

/** The reference to `owner`; `controller` marks it as the managing controller. */
export function ownerReference(owner: OwnerLike, options: { readonly controller?: boolean; readonly blockOwnerDeletion?: boolean } = {}): OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  const missing = [!apiVersion && 'apiVersion', !kind && 'kind', !name && 'metadata.name', !uid && 'metadata.uid'].filter(Boolean);
  if (missing.length > 0) {
    throw new OwnerReferenceError(`owner ${describe(owner)} lacks ${missing.join(', ')}: pass the object as read from the server or the cache (objects built locally have no uid)`, 'IncompleteOwner');
  }
  return {
    apiVersion: apiVersion!, kind: kind!, name: name!, uid: uid!,
    ...(options.controller ? { controller: true } : {}),
    ...(options.blockOwnerDeletion ?? options.controller ? { blockOwnerDeletion: true } : {}),
  };
}

function checkScope(object: Ownable, owner: OwnerLike): void {
  const ownerNs = owner.metadata?.namespace;
  const ns = object.metadata?.namespace;
  if (!ownerNs) return; // a cluster-scoped owner may own anything
  if (!ns) {
    throw new OwnerReferenceError(
      `${describe(owner)} is namespaced and cannot own an object without a namespace (cluster-scoped, or metadata.namespace not set yet): set metadata.namespace to ${JSON.stringify(ownerNs)} first, or use a cluster-scoped owner`,
      'ClusterScopedDependent',
    );
  }
  if (ns !== ownerNs) {
    throw new OwnerReferenceError(
      `${describe(owner)} cannot own an object in namespace ${JSON.stringify(ns)}: owner references never cross namespaces (the garbage collector would ignore it); keep the object in ${JSON.stringify(ownerNs)}, or clean it up with a finalizer instead`,
      'CrossNamespaceOwner',
    );
  }
}

function sameGroup(a: string, b: string): boolean {
  const group = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
  return group(a) === group(b);
}

function refersTo(ref: OwnerReference, owner: OwnerReference): boolean {
  return ref.uid === owner.uid || (ref.kind === owner.kind && ref.name === owner.name && sameGroup(ref.apiVersion, owner.apiVersion));
}

/** `object` with its owner references known to be there. */
export type Owned<T> = T & { metadata: NonNullable<T extends { metadata?: infer M } ? M : never> & { ownerReferences: OwnerReference[] } };

function withRef<T extends Ownable>(object: T, ref: OwnerReference): Owned<T> {
  const refs = (object.metadata?.ownerReferences ?? []).filter((r) => !refersTo(r, ref));
  return { ...object, metadata: { ...object.metadata, ownerReferences: [...refs, ref] } } as Owned<T>;
}

/**
 * A copy of `object` with `owner` as its controller (controller: true, blockOwnerDeletion:
 * true). Throws OwnerReferenceError if another object already controls it, or the owner
 * cannot own it (other namespace, namespaced owner of a cluster-scoped object).
 *
 * @example const cm = setControllerReference({ metadata: { name: 'x', namespace: app.metadata.namespace }, data }, app);
 */
export function setControllerReference<T extends Ownable>(object: T, owner: OwnerLike): Owned<T> {
  const ref = ownerReference(owner, { controller: true });
  checkScope(object, owner);
  const current = controllerOf(object);
  if (current !== undefined && !refersTo(current, ref)) {
    throw new OwnerReferenceError(`${object.metadata?.name ?? 'the object'} is already controlled by ${current.kind} ${current.name}; an object has one controller (use setOwnerReference for a plain owner)`, 'AlreadyOwned');
  }
  return withRef(object, ref);
}

/** A copy of `object` with `owner` as a plain (non-controller) owner. Same scope checks as {@link setControllerReference}. */
export function setOwnerReference<T extends Ownable>(object: T, owner: OwnerLike, options: { readonly blockOwnerDeletion?: boolean } = {}): Owned<T> {
  const ref = ownerReference(owner, { controller: false, ...(options.blockOwnerDeletion !== undefined ? { blockOwnerDeletion: options.blockOwnerDeletion } : {}) });
  checkScope(object, owner);
  const existing = object.metadata?.ownerReferences?.find((r) => refersTo(r, ref));
  return withRef(object, existing?.controller ? { ...ref, controller: true, blockOwnerDeletion: existing.blockOwnerDeletion ?? true } : ref);
}

/** The controller owner reference of `object`, if any. */
export function controllerOf(object: { readonly metadata?: { readonly ownerReferences?: readonly OwnerReference[] | undefined } | undefined }): OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** Whether `owner` (by uid) is the controller of `object`. */
export function isControlledBy(object: { readonly metadata?: { readonly ownerReferences?: readonly OwnerReference[] | undefined } | undefined }, owner: OwnerLike): boolean {
  const c = controllerOf(object);
  return c !== undefined && owner.metadata?.uid !== undefined && c.uid === owner.metadata.uid;
}
