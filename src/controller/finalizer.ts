/**
 * The finalizer helper, in kube-runtime's shape: before the first apply the finalizer is
 * added; while the object is being deleted, the cleanup runs and then the finalizer is
 * removed, so the object goes only after its cleanup succeeded. Writes are merge patches
 * carrying the resourceVersion the decision was made on: if anyone wrote the object
 * meanwhile the server answers 409 Conflict (never a blind overwrite of another
 * writer's finalizers), and the controller retries quietly with the fresh object.
 * Before a cleanup the object is read afresh (one GET per deletion): a cache that has not yet
 * seen our own finalizer removal would otherwise run the cleanup a second time.
 */
import type { PatchInput, WriteOptions } from '../client/types.js';
import { mergePatch } from '../core/patch.js';
import { UsageError } from '../core/errors.js';

/** What the helper needs of the object's resource handle, scoped to its namespace. */
export interface FinalizerApi<T> {
  /** Adds or removes the finalizer (a merge patch carrying the resourceVersion). */
  patch(name: string, patch: PatchInput<T>, options?: WriteOptions): Promise<T>;
  /** Reads the object afresh before a cleanup; undefined once it is gone. */
  getOrUndefined(name: string, options?: { readonly signal?: AbortSignal }): Promise<T | undefined>;
}

interface FinalizableMeta {
  name?: string;
  resourceVersion?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

/** What to do with the object now. */
export type FinalizerEvent<T> =
  /** The object lives (with our finalizer in place): make the world match it. */
  | { readonly type: 'apply'; readonly object: T }
  /** The object is being deleted: clean up what the owner tree does not cover. */
  | { readonly type: 'cleanup'; readonly object: T };

/** `signal` aborts the writes; `fieldManager` names the writer in managedFields. */
export interface FinalizerOptions {
  readonly signal?: AbortSignal;
  readonly fieldManager?: string;
}

function metaOf(o: unknown): FinalizableMeta {
  const m = (o as { metadata?: FinalizableMeta }).metadata;
  if (m?.name === undefined || m.resourceVersion === undefined) throw new UsageError('finalizer(): the object needs metadata.name and metadata.resourceVersion (pass it as read from the server or the cache)');
  return m;
}

/** A finalizer name must be a qualified name with a domain prefix, e.g. `example.com/cleanup`. */
function checkName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name) || name.length > 253) {
    throw new UsageError(`finalizer name ${JSON.stringify(name)} is not a domain-qualified name: use something like 'webapps.example.com/cleanup'`);
  }
}

/** Whether `object` carries `finalizer`. */
export function hasFinalizer(object: unknown, finalizer: string): boolean {
  return ((object as { metadata?: FinalizableMeta }).metadata?.finalizers ?? []).includes(finalizer);
}

/**
 * Runs `handle` for `object` under `finalizer`: `apply` while it lives (after adding the
 * finalizer if missing), `cleanup` once when it is being deleted, after which the finalizer
 * is removed. Returns what `handle` returned (undefined when there was nothing to do: the
 * object is going and our finalizer is already gone). A cleanup that throws keeps the
 * finalizer, so it runs again on the next attempt.
 *
 * @example
 * return finalizer(kube.webapps.namespace(ns), 'webapps.example.com/cleanup', app, async (e) =>
 *   e.type === 'apply' ? ensureChildren(e.object) : deleteExternal(e.object));
 */
export async function finalizer<T, R>(api: FinalizerApi<T>, name: string, object: T, handle: (event: FinalizerEvent<T>) => Promise<R> | R, options: FinalizerOptions = {}): Promise<R | undefined> {
  checkName(name);
  const m = metaOf(object);
  const finalizers = m.finalizers ?? [];
  const present = finalizers.includes(name);
  const write = (list: string[], rv: string): Promise<T> =>
    api.patch(m.name!, mergePatch({ metadata: { finalizers: list, resourceVersion: rv } } as never), {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
    });
  if (m.deletionTimestamp !== undefined) {
    if (!present) return undefined;
    const live = await api.getOrUndefined(m.name!, options.signal ? { signal: options.signal } : {});
    if (live === undefined || !hasFinalizer(live, name)) return undefined; // already finalized: the cache is behind
    const lm = metaOf(live);
    const result = await handle({ type: 'cleanup', object: live });
    // The resourceVersion precondition makes the removal exact: if the object changed
    // since the cleanup decided, 409, and the next reconcile decides again.
    await write((lm.finalizers ?? []).filter((f) => f !== name), lm.resourceVersion!);
    return result;
  }
  let current = object;
  if (!present) current = await write([...finalizers, name], m.resourceVersion!);
  return handle({ type: 'apply', object: current });
}
