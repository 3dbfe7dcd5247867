/**
 * Every write the fake server does, with the API server's rules: server-owned metadata
 * (uid, creationTimestamp, generation, resourceVersion, managedFields), optimistic
 * concurrency, status and spec kept apart by the status subresource, finalizers and
 * deletionTimestamp, dry-run, and the checks that answer 409 or 422.
 */
import { randomUUID } from 'node:crypto';
import type { FakeClock } from './clock.js';
import { type ManagerEntry, recordUpdate, renderManagedFields } from './managed-fields.js';
import { type ObjectStore, type StoredObject, keyOf, metaOf } from './object-store.js';
import { clone, isObj, type Json } from './patches.js';
import type { Registry, ServedResource } from './registry.js';
import { alreadyExists, conflict, deletedStatus, invalid, notFound, StatusFailure } from './status.js';

type Obj = Record<string, Json>;

/** @internal What the write paths need of the server: its objects, resources, clock and garbage collector. */
export interface ServerState {
  readonly store: ObjectStore;
  readonly registry: Registry;
  readonly clock: FakeClock;
  scheduleGc(): void;
}

export interface WriteContext {
  readonly manager: string;
  readonly dryRun: boolean;
  /** '' main resource, or 'status' / 'scale'. */
  readonly subresource: string;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_TEXT = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_TEXT = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Resources whose names are DNS labels rather than subdomains. */
const LABEL_NAMED = new Set(['/namespaces', '/services']);

export function apiVersionOf(res: ServedResource): string {
  return res.info.group === '' ? res.info.version : `${res.info.group}/${res.info.version}`;
}

function checkName(res: ServedResource, name: string): void {
  const label = LABEL_NAMED.has(res.storage);
  const ok = label ? LABEL.test(name) && name.length <= 63 : SUBDOMAIN.test(name) && name.length <= 253;
  if (!ok) {
    const message = `Invalid value: ${JSON.stringify(name)}: ${label ? LABEL_TEXT : SUBDOMAIN_TEXT}`;
    throw invalid(res.info.kind, res.custom ? res.info.group : '', name, [{ reason: 'FieldValueInvalid', message, field: 'metadata.name' }]);
  }
}

function hasStatusSub(res: ServedResource): boolean {
  return res.info.subresources.includes('status');
}

/** Whether objects of this resource carry metadata.generation (custom resources, and built-ins with a spec). */
function tracksGeneration(res: ServedResource, obj: Obj): boolean {
  return res.custom || obj.spec !== undefined;
}

/** What a generation bump looks at: everything but metadata and status for custom resources, the spec for built-ins. */
function generationView(res: ServedResource, obj: Obj): string {
  if (!res.custom) return JSON.stringify(obj.spec ?? null);
  const { metadata: _m, status: _s, ...rest } = obj;
  return JSON.stringify(rest);
}

/** The namespace an object is written to must exist and not be terminating. */
export function checkNamespace(state: ServerState, namespace: string | undefined): void {
  if (namespace === undefined) return;
  const ns = state.store.get('/namespaces', namespace);
  if (!ns) throw notFound({ group: '', plural: 'namespaces' }, namespace);
  if (metaOf(ns.object).deletionTimestamp !== undefined) {
    throw new StatusFailure({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
      message: `unable to create new content in namespace ${namespace} because it is being terminated`,
      details: { name: namespace, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] },
    });
  }
}

/** Stamps server-owned metadata and stores (unless dry-run). `before` undefined: a create. */
export function commit(state: ServerState, res: ServedResource, before: StoredObject | undefined, next: Obj, ctx: WriteContext, managers?: ManagerEntry[]): Obj {
  const meta: Obj = { ...metaOf(next) };
  const old = before ? metaOf(before.object) : undefined;
  const time = state.clock.timestamp();
  next.apiVersion = apiVersionOf(res);
  next.kind = res.info.kind;
  if (old) {
    // Clients cannot set these; only the server's own writes (delete, via `managers`) start a deletion.
    const owned = managers ? ['uid', 'creationTimestamp', 'name', 'namespace'] : ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'name', 'namespace'];
    for (const f of owned) {
      if (old[f] !== undefined) meta[f] = old[f]!;
      else delete meta[f];
    }
    if (old.generation !== undefined) {
      meta.generation = generationView(res, before!.object) !== generationView(res, next) ? (old.generation as number) + 1 : old.generation;
    }
  } else {
    meta.uid = randomUUID();
    meta.creationTimestamp = time;
    if (tracksGeneration(res, next)) meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  delete meta.managedFields;
  delete meta.selfLink;
  next.metadata = meta;
  let entries = managers ?? recordUpdate(before?.managers ?? [], ctx.manager, apiVersionOf(res), time, ctx.subresource, before?.object, next, res.definition);
  if (entries.length > 0) meta.managedFields = renderManagedFields(entries);
  else entries = [];
  const name = String(meta.name);
  const key = keyOf(typeof meta.namespace === 'string' ? meta.namespace : undefined, name);
  // An object being deleted goes once its last finalizer is removed.
  const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
  if (old?.deletionTimestamp !== undefined && finalizers.length === 0) {
    if (!ctx.dryRun) removeObject(state, res, key, next);
    return next;
  }
  if (ctx.dryRun) {
    if (old) meta.resourceVersion = old.resourceVersion!;
    else delete meta.resourceVersion;
    return clone(next);
  }
  meta.resourceVersion = String(state.store.nextRv());
  state.store.put(res.storage, key, { storage: res.storage, object: next, managers: entries }, before ? 'MODIFIED' : 'ADDED', before?.object);
  if (res.storage === 'apiextensions.k8s.io/customresourcedefinitions') state.registry.fromCrd(next);
  return next;
}

/** Removes the object for good (DELETED event) and lets the collector look at its dependents. */
export function removeObject(state: ServerState, res: ServedResource, key: string, finalState: Obj): void {
  const meta = { ...metaOf(finalState), resourceVersion: String(state.store.nextRv()) };
  const last: Obj = { ...finalState, metadata: meta };
  state.store.remove(res.storage, key, last);
  if (res.storage === 'apiextensions.k8s.io/customresourcedefinitions') {
    state.registry.fromCrd(last, true);
    const spec = isObj(last.spec) ? last.spec : {};
    const names = isObj(spec.names) ? spec.names : {};
    for (const o of [...state.store.collection(`${String(spec.group)}/${String(names.plural)}`).keys()]) state.store.collection(`${String(spec.group)}/${String(names.plural)}`).delete(o);
  }
  state.scheduleGc();
}

export function create(state: ServerState, res: ServedResource, namespace: string | undefined, body: Obj, ctx: WriteContext, managers?: ManagerEntry[]): Obj {
  const next = clone(body);
  const meta: Obj = isObj(next.metadata) ? { ...next.metadata } : {};
  next.metadata = meta;
  if (res.info.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== namespace) {
      throw new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request' });
    }
    meta.namespace = namespace!;
  } else delete meta.namespace;
  if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName !== '') {
    let name: string;
    do {
      name = meta.generateName + Array.from({ length: 5 }, () => GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)]).join('');
    } while (state.store.get(res.storage, keyOf(namespace, name)));
    meta.name = name;
  }
  if (typeof meta.name !== 'string' || meta.name === '') {
    throw invalid(res.info.kind, res.custom ? res.info.group : '', '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
  }
  checkName(res, meta.name);
  if (res.info.namespaced) checkNamespace(state, namespace);
  if (state.store.get(res.storage, keyOf(namespace, meta.name))) throw alreadyExists({ group: res.info.group, plural: res.info.plural }, meta.name);
  if (hasStatusSub(res)) delete next.status;
  if (res.storage === '/namespaces') {
    next.spec = { finalizers: ['kubernetes'], ...(isObj(next.spec) ? next.spec : {}) };
    next.status = { phase: 'Active' };
    meta.labels = { ...(isObj(meta.labels) ? meta.labels : {}), 'kubernetes.io/metadata.name': meta.name };
  }
  if (res.storage === 'apiextensions.k8s.io/customresourcedefinitions') {
    next.status = { conditions: [{ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: state.clock.timestamp() }, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: state.clock.timestamp() }], acceptedNames: isObj(next.spec) ? (next.spec.names ?? {}) : {}, storedVersions: [] };
  }
  return commit(state, res, undefined, next, ctx, managers);
}

/** The stored object, or 404. */
export function existing(state: ServerState, res: ServedResource, namespace: string | undefined, name: string): StoredObject {
  const s = state.store.get(res.storage, keyOf(namespace, name));
  if (!s) throw notFound({ group: res.info.group, plural: res.info.plural }, name);
  return s;
}

/** A write's resourceVersion must match the stored one when it is given. */
export function checkRv(res: ServedResource, stored: StoredObject, body: Json, name: string): void {
  const rv = metaOf(body).resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== metaOf(stored.object).resourceVersion) throw conflict({ group: res.info.group, plural: res.info.plural }, name);
}

/** Puts together the next state of a write: the main resource keeps status, the status subresource only changes status. */
export function combine(res: ServedResource, stored: StoredObject, incoming: Obj, subresource: string): Obj {
  if (subresource === 'status') {
    const next = clone(stored.object);
    if (incoming.status === undefined) delete next.status;
    else next.status = clone(incoming.status);
    next.metadata = { ...metaOf(stored.object), resourceVersion: metaOf(incoming).resourceVersion ?? metaOf(stored.object).resourceVersion! };
    return next;
  }
  const next = clone(incoming);
  if (hasStatusSub(res) && res.storage !== '/namespaces') {
    if (stored.object.status !== undefined) next.status = clone(stored.object.status);
    else delete next.status;
  }
  if (res.storage === '/namespaces') next.status = clone(stored.object.status ?? { phase: 'Active' });
  return next;
}

export function update(state: ServerState, res: ServedResource, namespace: string | undefined, name: string, body: Obj, ctx: WriteContext): Obj {
  const stored = existing(state, res, namespace, name);
  const bodyMeta = metaOf(body);
  if (bodyMeta.name !== undefined && bodyMeta.name !== name) {
    throw new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message: `the name of the object (${String(bodyMeta.name)}) does not match the name on the URL (${name})` });
  }
  checkRv(res, stored, body, name);
  return commit(state, res, stored, combine(res, stored, body, ctx.subresource), ctx);
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly dryRun: boolean;
}

/** Deletes (or, with finalizers, marks for deletion); answers the object or a Success Status. */
export function remove(state: ServerState, res: ServedResource, namespace: string | undefined, name: string, opts: DeleteOptions): Json {
  const stored = existing(state, res, namespace, name);
  const meta = metaOf(stored.object);
  const gr = { group: res.info.group, plural: res.info.plural };
  const pre = opts.preconditions;
  if (pre?.uid !== undefined && pre.uid !== meta.uid) throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(meta.uid)}`);
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`);
  }
  if (meta.deletionTimestamp !== undefined) return clone(stored.object);
  const finalizers = [...(Array.isArray(meta.finalizers) ? meta.finalizers : [])];
  if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  if (opts.propagationPolicy === 'Orphan' && !opts.dryRun) orphanDependents(state, String(meta.uid));
  const isNamespace = res.storage === '/namespaces';
  if (finalizers.length > 0 || isNamespace) {
    const next = clone(stored.object);
    next.metadata = { ...meta, deletionTimestamp: state.clock.timestamp(), deletionGracePeriodSeconds: 0, ...(finalizers.length > 0 ? { finalizers } : {}) };
    if (isNamespace) next.status = { phase: 'Terminating' };
    const out = commit(state, res, stored, next, { manager: '', dryRun: opts.dryRun, subresource: '' }, stored.managers);
    if (!opts.dryRun) state.scheduleGc();
    return out;
  }
  if (!opts.dryRun) removeObject(state, res, keyOf(namespace, name), stored.object);
  return deletedStatus(gr, name, String(meta.uid)) as unknown as Json;
}

/** Orphan propagation: the dependents lose their owner reference to `uid` and stay. */
function orphanDependents(state: ServerState, uid: string): void {
  for (const s of [...state.store.everything()]) {
    const refs = metaOf(s.object).ownerReferences;
    if (!Array.isArray(refs) || !refs.some((r) => isObj(r) && r.uid === uid)) continue;
    const res = resourceOfStored(state, s);
    if (!res) continue;
    const next = clone(s.object);
    next.metadata = { ...metaOf(s.object), ownerReferences: refs.filter((r) => !(isObj(r) && r.uid === uid)) };
    if ((next.metadata.ownerReferences as Json[]).length === 0) delete next.metadata.ownerReferences;
    commit(state, res, s, next, { manager: 'kube-controller-manager', dryRun: false, subresource: '' });
  }
}

/** The served resource (any version) an object is stored under. */
export function resourceOfStored(state: ServerState, s: StoredObject): ServedResource | undefined {
  const apiVersion = typeof s.object.apiVersion === 'string' ? s.object.apiVersion : '';
  const kind = typeof s.object.kind === 'string' ? s.object.kind : '';
  return state.registry.byKind(apiVersion, kind);
}
