/**
 * The in-memory API server: routes a request (method, path, query, body, content type) the
 * way kube-apiserver does and answers with its status codes and bodies. No sockets: the fake
 * transport calls {@link FakeApiServer.handle} directly.
 */
import { validateAsync } from '../core/validation.js';
import type { CustomResourceSpec } from '../client/types.js';
import { FakeClock } from './clock.js';
import { collect } from './gc.js';
import { serverSideApply } from './managed-fields.js';
import { ObjectStore, keyOf, metaOf } from './object-store.js';
import { clone, isObj, type Json, jsonPatch, mergePatch, strategicMergePatch } from './patches.js';
import { Registry, type ServedResource } from './registry.js';
import { discovery } from './discovery.js';
import { listObjects } from './list.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { badRequest, methodNotAllowed, notFound, StatusFailure, unsupportedMediaType } from './status.js';
import type { FakeWatch } from './watch-stream.js';
import { apiVersionOf, checkNamespace, checkRv, combine, commit, create, existing, remove, type ServerState, update, type WriteContext } from './writes.js';
import { getScale, writeScale } from './scale.js';

type Obj = Record<string, Json>;

/** One request as the fake server routes it: method, path, decoded query, body and content type. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string | undefined;
}

/** What {@link FakeApiServer.handle} answers: a status code and body, or an open watch stream. */
export type FakeResponse = { readonly code: number; readonly body: unknown } | { readonly code: 200; readonly watch: FakeWatch };

/** Custom resources to serve, watch history kept, and the clock for timestamps. */
export interface FakeApiServerOptions {
  readonly resources?: readonly CustomResourceSpec[];
  /** Events kept for watches that resume from a resourceVersion (older ones answer 410). Default 100,000. */
  readonly historySize?: number;
  readonly clock?: FakeClock;
}

const PATCH_TYPES = new Set(['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

interface Route {
  readonly res: ServedResource;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

/** The in-memory API server behind {@link fakeKube}; reach it as `kube.fake.server`. */
export class FakeApiServer implements ServerState {
  /** @internal The resources served (built-ins and custom resources). */
  readonly registry: Registry;
  /** @internal The objects and their watch history. */
  readonly store: ObjectStore;
  readonly clock: FakeClock;
  #gcPending = false;
  #gcIdle: (() => void)[] = [];

  constructor(options: FakeApiServerOptions = {}) {
    this.registry = new Registry(options.resources);
    this.store = new ObjectStore(options.historySize ?? 100_000);
    this.clock = options.clock ?? new FakeClock();
    const ns = this.registry.find('', 'v1', 'namespaces')!;
    for (const name of NAMESPACES) create(this, ns, undefined, { metadata: { name } }, { manager: 'kube-apiserver', dryRun: false, subresource: '' });
  }

  /** @internal Runs the garbage collector soon (after a delete), once however often it is asked. */
  scheduleGc(): void {
    if (this.#gcPending) return;
    this.#gcPending = true;
    setImmediate(() => {
      this.#gcPending = false;
      collect(this);
      if (!this.#gcPending) for (const f of this.#gcIdle.splice(0)) f();
    });
  }

  /** Resolves once the garbage collector has nothing left to do. */
  gcIdle(): Promise<void> {
    return this.#gcPending ? new Promise((resolve) => this.#gcIdle.push(resolve)) : Promise.resolve();
  }

  #route(path: string): Route | { discovery: unknown } {
    const parts = path.split('?')[0]!.split('/').filter((p) => p !== '').map(decodeURIComponent);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api') {
      group = '';
      rest = parts.slice(1);
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      rest = parts.slice(2);
      if (parts.length <= 2) return { discovery: discovery(this.registry, parts.length === 1 ? undefined : group, undefined) };
    } else throw notFound({ group: '', plural: '' }, path);
    const version = rest[0];
    if (version === undefined) return { discovery: discovery(this.registry, group === '' ? '' : group, undefined) };
    rest = rest.slice(1);
    if (rest.length === 0) return { discovery: discovery(this.registry, group, version) };
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && ['status', 'finalize'].includes(rest[2]!))) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const res = this.registry.find(group, version, rest[0]!);
    if (!res || rest.length > 3) {
      throw new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    }
    if (res.info.namespaced === false && namespace !== undefined) throw notFound({ group: '', plural: '' }, path);
    return { res, namespace, name: rest[1], subresource: rest[2] };
  }

  /** Answers one request; failures are thrown as {@link StatusFailure}. */
  async handle(req: FakeRequest): Promise<FakeResponse> {
    const route = this.#route(req.path);
    if ('discovery' in route) {
      if (route.discovery === undefined) throw notFound({ group: '', plural: '' }, req.path);
      return { code: 200, body: route.discovery };
    }
    const { res, namespace, name, subresource } = route;
    const q = req.query;
    const ctx: WriteContext = { manager: q.fieldManager ?? defaultManager(req), dryRun: q.dryRun === 'All', subresource: subresource ?? '' };
    if (subresource !== undefined) return this.#subresource(req, route as Route & { name: string; subresource: string }, ctx);
    if (name === undefined) {
      switch (req.method) {
        case 'GET':
          if (q.watch === 'true' || q.watch === '1') return { code: 200, watch: this.#watch(res, namespace, q) };
          return { code: 200, body: listObjects(this.store, res, namespace, q) };
        case 'POST': {
          const body = this.#body(req);
          await this.#strict(res, body, q);
          return { code: 201, body: create(this, res, namespace, body, ctx) };
        }
        case 'DELETE': return { code: 200, body: this.#deleteCollection(res, namespace, req) };
        default: throw methodNotAllowed();
      }
    }
    if (res.info.namespaced && namespace === undefined) throw notFound({ group: '', plural: '' }, req.path);
    switch (req.method) {
      case 'GET': return { code: 200, body: this.#read(res, existing(this, res, namespace, name).object) };
      case 'PUT': {
        const body = this.#body(req);
        await this.#strict(res, body, q);
        return { code: 200, body: update(this, res, namespace, name, body, ctx) };
      }
      case 'PATCH': return this.#patch(req, res, namespace, name, ctx);
      case 'DELETE': {
        const opts = isObj(req.body) ? req.body : {};
        const dryRun = ctx.dryRun || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All'));
        const pre = isObj(opts.preconditions) ? opts.preconditions : undefined;
        const out = remove(this, res, namespace, name, {
          dryRun,
          ...(typeof opts.propagationPolicy === 'string' ? { propagationPolicy: opts.propagationPolicy as 'Background' } : {}),
          ...(pre ? { preconditions: { ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}), ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}) } } : {}),
        });
        return { code: 200, body: isObj(out) && out.kind === 'Status' ? out : this.#read(res, out as Obj) };
      }
      default: throw methodNotAllowed();
    }
  }

  /** Objects read through another version of the same resource say that version (no conversion). */
  #read(res: ServedResource, obj: Obj): Obj {
    return obj.apiVersion === apiVersionOf(res) ? obj : { ...obj, apiVersion: apiVersionOf(res) };
  }

  #body(req: FakeRequest): Obj {
    const b = typeof req.body === 'string' ? safeParse(req.body) : req.body;
    if (!isObj(b as Json)) throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    return clone(b as Obj);
  }

  /** fieldValidation=Strict: unknown or duplicate fields are a 400, as the server's strict decoder says. */
  async #strict(res: ServedResource, body: Obj, q: FakeRequest['query']): Promise<void> {
    if (q.fieldValidation !== 'Strict' || res.definition === undefined) return;
    const result = await validateAsync({ ...body, apiVersion: apiVersionOf(res), kind: res.info.kind }, { mode: 'strict' });
    const unknown = result.issues.filter((i) => i.message.startsWith('unknown field'));
    if (unknown.length > 0) {
      throw badRequest(`${res.info.kind} in version "${res.info.version}" cannot be handled as a ${res.info.kind}: strict decoding error: ${unknown.map((i) => `unknown field "${i.path}"`).join(', ')}`);
    }
  }

  async #patch(req: FakeRequest, res: ServedResource, namespace: string | undefined, name: string, ctx: WriteContext): Promise<FakeResponse> {
    const type = (req.contentType ?? '').split(';')[0]!.trim();
    if (!PATCH_TYPES.has(type)) throw unsupportedMediaType(type);
    if (type === 'application/strategic-merge-patch+json' && res.custom) throw unsupportedMediaType(type);
    const patch = typeof req.body === 'string' ? safeParse(req.body) : (req.body as Json);
    if (type === 'application/apply-patch+yaml') return this.#apply(req, res, namespace, name, patch, ctx);
    // As the server's GuaranteedUpdate: if another write lands while this one is checked, patch again.
    for (;;) {
      const stored = existing(this, res, namespace, name);
      let next: Json;
      if (type === 'application/json-patch+json') next = jsonPatch(stored.object, patch);
      else {
        if (!isObj(patch)) throw badRequest('the body of the request was in an unknown format');
        checkRv(res, stored, patch, name);
        next = type === 'application/merge-patch+json' ? mergePatch(stored.object, patch) : strategicMergePatch(stored.object, patch, res.definition);
      }
      if (!isObj(next)) throw badRequest('the patch did not produce an object');
      await this.#strict(res, next, req.query);
      if (existing(this, res, namespace, name) !== stored) continue;
      if (metaOf(next).name !== name) throw badRequest(`the name of the object (${String(metaOf(next).name)}) does not match the name on the URL (${name})`);
      checkRv(res, stored, next, name);
      return { code: 200, body: commit(this, res, stored, combine(res, stored, next, ctx.subresource), ctx) };
    }
  }

  async #apply(req: FakeRequest, res: ServedResource, namespace: string | undefined, name: string, patch: Json, ctx: WriteContext): Promise<FakeResponse> {
    if (!isObj(patch)) throw badRequest('error decoding YAML: the apply body must be an object');
    if (req.query.fieldManager === undefined || req.query.fieldManager === '') throw badRequest('PATCH, application/apply-patch+yaml requests must include the fieldManager parameter');
    if (metaOf(patch).name !== undefined && metaOf(patch).name !== name) throw badRequest(`the name of the object (${String(metaOf(patch).name)}) does not match the name on the URL (${name})`);
    await this.#strict(res, patch, req.query);
    const stored = ctx.subresource === 'status' ? existing(this, res, namespace, name) : this.store.get(res.storage, keyOf(namespace, name));
    if (stored) checkRv(res, stored, patch, name);
    else if (res.info.namespaced) checkNamespace(this, namespace);
    const applied = clone(patch);
    const meta = { ...metaOf(applied) };
    delete meta.resourceVersion;
    delete meta.managedFields;
    applied.metadata = meta;
    const live = stored ? stored.object : { apiVersion: apiVersionOf(res), kind: res.info.kind, metadata: { name, ...(namespace !== undefined ? { namespace } : {}) } };
    const { object, entries } = serverSideApply({
      entries: stored?.managers ?? [], manager: ctx.manager, apiVersion: apiVersionOf(res), time: this.clock.timestamp(), subresource: ctx.subresource,
      live, applied, def: res.definition, force: req.query.force === 'true',
    });
    if (!stored) return { code: 201, body: create(this, res, namespace, object as Obj, { ...ctx, subresource: '' }, entries) };
    return { code: 200, body: commit(this, res, stored, combine(res, stored, object as Obj, ctx.subresource), ctx, entries) };
  }

  async #subresource(req: FakeRequest, route: Route & { name: string; subresource: string }, ctx: WriteContext): Promise<FakeResponse> {
    const { res, namespace, name, subresource } = route;
    if (!res.info.subresources.includes(subresource) && !(res.storage === '/namespaces' && subresource === 'status')) {
      throw new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    }
    if (subresource === 'scale') {
      if (req.method === 'GET') return { code: 200, body: getScale(res, existing(this, res, namespace, name)) };
      return { code: 200, body: writeScale(this, res, namespace, name, req, ctx) };
    }
    if (subresource === 'status') {
      switch (req.method) {
        case 'GET': return { code: 200, body: this.#read(res, existing(this, res, namespace, name).object) };
        case 'PUT': return { code: 200, body: update(this, res, namespace, name, this.#body(req), ctx) };
        case 'PATCH': return this.#patch(req, res, namespace, name, ctx);
        default: throw methodNotAllowed();
      }
    }
    if (subresource === 'eviction' && req.method === 'POST') {
      remove(this, res, namespace, name, { dryRun: ctx.dryRun });
      return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
    }
    throw new StatusFailure({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound', details: {},
      message: `the fake API server does not serve ${res.info.plural}/${subresource} (no kubelet, no proxy)`,
    });
  }

  #watch(res: ServedResource, namespace: string | undefined, q: FakeRequest['query']): FakeWatch {
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector, res.info.plural, res.selectableFields);
    const initial = q.sendInitialEvents === 'true';
    if (initial && q.resourceVersionMatch !== 'NotOlderThan') {
      throw invalidWatch('resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    const rv = q.resourceVersion;
    if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
    return this.store.watch({
      storage: res.storage, namespace, matches: (o) => labels(metaOf(o).labels as Record<string, string> | undefined) && fields(o),
      from: rv === undefined || rv === '' || rv === '0' ? undefined : Number(rv), initialEvents: initial,
      bookmarks: q.allowWatchBookmarks === 'true', timeoutSeconds: q.timeoutSeconds !== undefined ? Number(q.timeoutSeconds) : undefined,
      apiVersion: apiVersionOf(res), kind: res.info.kind, clock: this.clock,
    });
  }

  #deleteCollection(res: ServedResource, namespace: string | undefined, req: FakeRequest): unknown {
    if (res.info.namespaced && namespace === undefined) throw methodNotAllowed();
    const list = listObjects(this.store, res, namespace, { labelSelector: req.query.labelSelector, fieldSelector: req.query.fieldSelector });
    const opts = isObj(req.body as Json) ? (req.body as Obj) : {};
    const dryRun = req.query.dryRun === 'All' || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All'));
    for (const item of list.items) remove(this, res, namespace, String(metaOf(item).name), { dryRun, ...(typeof opts.propagationPolicy === 'string' ? { propagationPolicy: opts.propagationPolicy as 'Background' } : {}) });
    return { kind: `${res.info.kind}List`, apiVersion: apiVersionOf(res), metadata: { resourceVersion: String(this.store.resourceVersion) }, items: [] };
  }
}

function invalidWatch(message: string): StatusFailure {
  return new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `ListOptions.meta.k8s.io "" is invalid: ${message}`, reason: 'Invalid', details: { group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason: 'FieldValueForbidden', message, field: 'resourceVersionMatch' }] }, code: 422 });
}

function defaultManager(req: FakeRequest): string {
  return req.method === 'PATCH' ? 'kubectl-patch' : req.method === 'PUT' ? 'kubectl-replace' : 'kubectl-create';
}

function safeParse(s: string): Json {
  try {
    return JSON.parse(s) as Json;
  } catch {
    throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json');
  }
}
