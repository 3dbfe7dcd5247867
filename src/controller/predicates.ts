/**
 * Predicates decide which informer events reach a controller's queue. The useful ones are
 * about updates: a status write does not change metadata.generation, so `generationChanged`
 * keeps a controller from reconciling its own status updates. Adds and deletes pass every
 * built-in predicate (dropping them would lose an object, not just noise).
 */
import type { HasMetadata } from '../runtime/object-meta.js';

/** An informer event as a predicate sees it; updates carry the old object too. */
export type PredicateEvent<T> =
  | { readonly type: 'add'; readonly object: T }
  | { readonly type: 'update'; readonly object: T; readonly old: T }
  | { readonly type: 'delete'; readonly object: T };

/** true: the event is enqueued. */
export type Predicate<T> = (event: PredicateEvent<T>) => boolean;

type Meta = { metadata?: { generation?: number; labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>>; resourceVersion?: string; deletionTimestamp?: string; finalizers?: readonly string[] } };

function meta(o: unknown): NonNullable<Meta['metadata']> {
  return (o as Meta).metadata ?? {};
}

function sameRecord(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a?.[k] === b?.[k]);
}

function onUpdate<T>(changed: (old: T, object: T) => boolean): Predicate<T> {
  return (e) => e.type !== 'update' || changed(e.old, e.object);
}

/** Updates pass when metadata.generation changed (spec edits; not status or metadata-only writes), or deletion began. */
export const generationChanged: Predicate<HasMetadata> = onUpdate((old, o) => meta(old).generation !== meta(o).generation || (meta(o).deletionTimestamp !== undefined && meta(old).deletionTimestamp === undefined));

/** Updates pass when labels changed. */
export const labelsChanged: Predicate<HasMetadata> = onUpdate((old, o) => !sameRecord(meta(old).labels, meta(o).labels));

/** Updates pass when annotations changed. */
export const annotationsChanged: Predicate<HasMetadata> = onUpdate((old, o) => !sameRecord(meta(old).annotations, meta(o).annotations));

/** Updates pass when the object changed at all (drops the periodic resync's update(o, o)). */
export const resourceVersionChanged: Predicate<HasMetadata> = onUpdate((old, o) => meta(old).resourceVersion !== meta(o).resourceVersion);

/** Every predicate passes. */
export function and<T>(...ps: readonly Predicate<T>[]): Predicate<T> {
  return (e) => ps.every((p) => p(e));
}

/** At least one predicate passes. */
export function or<T>(...ps: readonly Predicate<T>[]): Predicate<T> {
  return (e) => ps.some((p) => p(e));
}

/** Passes what `p` rejects (adds and deletes included, so combine with care). */
export function not<T>(p: Predicate<T>): Predicate<T> {
  return (e) => !p(e);
}

/** The built-ins by name: `predicates.generationChanged`, `predicates.or(…)`. */
export const predicates = {
  generationChanged,
  labelsChanged,
  annotationsChanged,
  resourceVersionChanged,
  /** {@inheritDoc and} */
  and,
  /** {@inheritDoc or} */
  or,
  /** {@inheritDoc not} */
  not,
} as const;
