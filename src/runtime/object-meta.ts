/**
 * The little the runtime needs to know about an object: its key, version and identity.
 * Kept structural so generated types, custom resources and PartialObjectMetadata all fit.
 */
import type { ObjectMeta } from '../../generated/models.js';

/** The metadata fields the runtime reads (a subset of ObjectMeta). */
export type RuntimeMeta = Pick<ObjectMeta, 'name' | 'namespace' | 'uid' | 'resourceVersion' | 'labels' | 'annotations' | 'ownerReferences'>;

/** Anything with (optional) object metadata: every Kubernetes object. */
export interface HasMetadata {
  readonly metadata?: RuntimeMeta | undefined;
}

/**
 * The metadata-only view of an object (`meta.k8s.io/v1` PartialObjectMetadata), what an
 * informer in metadata-only mode caches: a few hundred bytes instead of the whole object.
 */
export interface PartialObjectMetadata {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/**
 * The store key of an object: `namespace/name`, or `name` for cluster-scoped objects
 * (client-go's MetaNamespaceKeyFunc, so keys read the same across tools).
 */
export function objectKey(object: HasMetadata): string {
  const m = object.metadata;
  const name = m?.name ?? '';
  return m?.namespace ? `${m.namespace}/${name}` : name;
}

/** The key for a name in a namespace (or a cluster-scoped name). */
export function keyFor(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function resourceVersionOf(object: HasMetadata): string | undefined {
  return object.metadata?.resourceVersion;
}

export function uidOf(object: HasMetadata): string | undefined {
  return object.metadata?.uid;
}
