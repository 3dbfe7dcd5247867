/**
 * The one generic resource handle. Every resource, built-in or custom, goes through this
 * class; what a handle may do is decided by its type (see types.ts), and checked again at
 * run time against the resource info for callers without types.
 */
import type { Scale } from '../../generated/models.js';
import { errorFromStatus, MalformedResponseError, NotFoundError, UsageError, isStatus } from '../core/errors.js';
import { isPatch, patchContentTypes, type PatchType } from '../core/patch.js';
import { resourcePath, type QueryValue } from '../core/paths.js';
import type { Clock } from '../core/clock.js';
import { apiVersionOf, type ResourceInfo } from '../core/resource-info.js';
import { formatFieldSelector, formatLabelSelector } from '../core/selectors.js';
import type { KubeTransport as Transport, RequestOptions } from '../transport/kube-transport.js';
import type { CopyOptions, CopyResult } from '../streams/cp.js';
import type { AttachOptions, ExecOptions, ExecProcess } from '../streams/exec.js';
import type { PortForwardOptions, PortForwarder, PortSpec } from '../streams/port-forward.js';
import type { PodPortStream, PortStreamOptions } from '../streams/port-stream.js';
import type { Condition } from './conditions.js';
import { followPodLogs, podAttach, podCopyFrom, podCopyTo, podExec, podLogs, podOpenPort, podPortForward, type PodTarget } from './pod-subresources.js';
import type {
  ApplyObject, ApplyOptions, CallOptions, DeleteCollectionOptions, DeleteOptions, EvictOptions, GetOptions, KubeList,
  KubeObject, ListOptions, LogOptions, PatchInput, SelectorOptions, SubresourceHandle, WaitOptions, WriteOptions,
} from './types.js';
import { waitForObject } from './wait.js';
import { type WatchEvent, type WatchOptions, watchStream } from './watch.js';

/**
 * Checks an object against a schema; throws (or rejects with) a ValidationError naming the
 * path. 'apply' bodies are partial by design.
 */
export type ObjectValidator = (object: unknown, context: { readonly apiVersion: string; readonly kind: string; readonly mode: 'write' | 'apply' | 'read' }) => void | Promise<void>;

/** Client-wide settings every handle shares. */
export interface ClientContext {
  readonly transport: Transport;
  readonly defaultNamespace: string;
  /** The client's field manager; apply needs this or a per-call one. */
  readonly fieldManager: string | undefined;
  readonly fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  readonly validateWrites: boolean;
  readonly validateReads: boolean;
  readonly validator: ObjectValidator | undefined;
  /** Longest watch event line (bytes); default 32 MiB. */
  readonly maxWatchLineBytes?: number | undefined;
  /** Longest followed log line (bytes); default 4 MiB. */
  readonly maxLogLineBytes?: number | undefined;
}

const DEFAULT_FIELD_MANAGER = 'kubefluent';
const DEFAULT_PAGE = 500;

function call(options: CallOptions | undefined): Pick<RequestOptions, 'signal' | 'timeoutMs'> {
  return {
    ...(options?.signal ? { signal: options.signal } : {}),
    ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

function selectorQuery(options: SelectorOptions | undefined): Record<string, QueryValue> {
  return {
    labelSelector: options?.labelSelector === undefined ? undefined : formatLabelSelector(options.labelSelector),
    fieldSelector: options?.fieldSelector === undefined ? undefined : formatFieldSelector(options.fieldSelector),
  };
}

function deleteBody(options: DeleteOptions | undefined): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    ...(options?.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
    ...(options?.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    ...(options?.preconditions ? { preconditions: options.preconditions } : {}),
    ...(options?.dryRun ? { dryRun: ['All'] } : {}),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'an empty body';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isStatus(value)) return `a Status (${String((value as { status?: unknown }).status)})`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A 2xx body where the API promises one object. typeof checks only: this is the GET hot
 * path (no schema parse; `validate: true` does that). A Status in its place is never the
 * object: a Failure one becomes the cause, so its reason is kept.
 */
function expectObject<R>(value: R, method: string, path: string): R {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { kind?: unknown }).kind !== 'Status') return value;
  const ref = { method, path };
  const cause = isStatus(value) && value.status === 'Failure' ? errorFromStatus(value, ref) : undefined;
  throw new MalformedResponseError(ref, `expected an object, got ${describe(value)}`, cause ? { cause } : undefined);
}

interface Meta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

/**
 * A handle on one resource, optionally bound to a namespace. Namespaced resources without
 * a namespace can list and watch across all namespaces; everything else needs `.namespace()`.
 */
export class ResourceClient<T> {
  readonly info: ResourceInfo;
  /** The namespace this handle is bound to; undefined for cluster-scoped or all-namespaces handles. */
  readonly namespaceName: string | undefined;
  readonly #ctx: ClientContext;
  readonly #validateSchema: ObjectValidator | undefined;
  #podTarget: PodTarget | undefined;

  /** @internal handles come from `kube.pods`, `kube.resource(…)`, … */
  constructor(info: ResourceInfo, ctx: ClientContext, namespace?: string, validator?: ObjectValidator) {
    this.info = info;
    this.#ctx = ctx;
    this.namespaceName = namespace;
    this.#validateSchema = validator ?? ctx.validator;
  }

  /** The clock of the transport's runtime timers (informers, waits and leases built on this handle use it); undefined: the system clock. */
  get clock(): Clock | undefined {
    return this.#ctx.transport.clock;
  }

  /** The handle for one namespace (default: the config's namespace). */
  namespace(name?: string): ResourceClient<T> {
    if (!this.info.namespaced) throw new UsageError(`${this.info.plural} is cluster-scoped: it has no namespace`);
    return new ResourceClient<T>(this.info, this.#ctx, name ?? this.#ctx.defaultNamespace, this.#validateSchema);
  }

  get #apiVersion(): string {
    return apiVersionOf(this.info);
  }

  #needScope(op: string): void {
    if (this.info.namespaced && this.namespaceName === undefined) {
      throw new UsageError(`${this.info.plural}.${op}() needs a namespace: use .namespace(name).${op}(...)`);
    }
  }

  #needVerb(verb: string): void {
    if (this.info.verbs.length > 0 && !this.info.verbs.includes(verb)) {
      throw new UsageError(`${this.info.plural} does not support ${verb}`);
    }
  }

  #needSub(sub: string): void {
    if (!this.info.subresources.includes(sub)) throw new UsageError(`${this.info.plural} has no ${sub} subresource`);
  }

  #path(name?: string, subresource?: string): string {
    return resourcePath(this.info, { namespace: this.namespaceName, name, subresource });
  }

  #writeQuery(options: WriteOptions | undefined, apply = false): Record<string, QueryValue> {
    let fieldManager = options?.fieldManager ?? this.#ctx.fieldManager;
    if (apply && !fieldManager) {
      throw new UsageError(`apply needs a fieldManager: pass { fieldManager: 'my-tool' } or set it when connecting`);
    }
    fieldManager ??= DEFAULT_FIELD_MANAGER;
    return {
      fieldManager,
      fieldValidation: options?.fieldValidation ?? this.#ctx.fieldValidation,
      dryRun: options?.dryRun ? 'All' : undefined,
      ...(apply && (options as ApplyOptions | undefined)?.force ? { force: true } : {}),
    };
  }

  async #check(object: unknown, mode: 'write' | 'apply' | 'read', flag: boolean | undefined): Promise<void> {
    const on = flag ?? (mode === 'read' ? this.#ctx.validateReads : this.#ctx.validateWrites);
    if (!on || !this.#validateSchema) return;
    await this.#validateSchema(object, { apiVersion: this.#apiVersion, kind: this.info.kind, mode });
  }

  /** Fills apiVersion, kind and namespace; rejects a body that names another resource or namespace. */
  #prepare(object: unknown, needName: boolean): { body: Record<string, unknown>; name: string | undefined } {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) throw new UsageError(`${this.info.kind} body must be an object`);
    const o = object as Record<string, unknown>;
    const apiVersion = this.#apiVersion;
    if (o.apiVersion !== undefined && o.apiVersion !== apiVersion) {
      throw new UsageError(`object apiVersion ${String(o.apiVersion)} does not match ${this.info.plural} (${apiVersion})`);
    }
    if (o.kind !== undefined && this.info.kind !== '' && o.kind !== this.info.kind) {
      throw new UsageError(`object kind ${String(o.kind)} does not match ${this.info.plural} (${this.info.kind})`);
    }
    const meta = { ...((o.metadata as Meta | undefined) ?? {}) };
    if (this.info.namespaced) {
      this.#needScope('write');
      if (meta.namespace !== undefined && meta.namespace !== this.namespaceName) {
        throw new UsageError(`object namespace "${meta.namespace}" does not match the handle's namespace "${this.namespaceName ?? ''}"`);
      }
      meta.namespace = this.namespaceName;
    }
    const kind = this.info.kind || (typeof o.kind === 'string' ? o.kind : '');
    if (!kind) throw new UsageError(`${this.info.plural}: the object needs a kind (or give { kind } when describing the resource)`);
    if (needName && !meta.name) throw new UsageError(`${kind} needs metadata.name`);
    const body: Record<string, unknown> = { ...o, apiVersion, kind, metadata: meta };
    return { body, name: meta.name };
  }

  // Reads are not validated by default: no promise to wait for on the common path.
  #read<R>(value: R, options: { validate?: boolean } | undefined): R | Promise<R> {
    if (!(options?.validate ?? this.#ctx.validateReads) || !this.#validateSchema) return value;
    return this.#check(value, 'read', true).then(() => value);
  }

  /** Reads one object; NotFoundError if there is none. */
  async get(name: string, options?: GetOptions): Promise<T> {
    this.#needScope('get');
    const path = this.#path(name);
    const obj = await this.#ctx.transport.request<T>({
      method: 'GET', path, query: { resourceVersion: options?.resourceVersion }, ...call(options),
    });
    return this.#read(expectObject(obj, 'GET', path), options);
  }

  /** Reads one object, or undefined if there is none. */
  async getOrUndefined(name: string, options?: GetOptions): Promise<T | undefined> {
    try {
      return await this.get(name, options);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /** Lists objects (one page when `limit` is set). */
  async list(options?: ListOptions): Promise<KubeList<T>> {
    this.#needVerb('list');
    const path = this.#path();
    const list = expectObject(await this.#ctx.transport.request<KubeList<T>>({
      method: 'GET',
      path,
      query: {
        ...selectorQuery(options),
        limit: options?.limit,
        continue: options?.continue,
        resourceVersion: options?.resourceVersion,
        resourceVersionMatch: options?.resourceVersionMatch,
        timeoutSeconds: options?.timeoutSeconds,
      },
      ...call(options),
    }), 'GET', path);
    const items: unknown = list.items;
    if (items !== undefined && items !== null && !Array.isArray(items)) {
      throw new MalformedResponseError({ method: 'GET', path }, `expected a list with an items array, got items as ${describe(items)}`);
    }
    // Items in a list omit apiVersion/kind; fill them so each item stands on its own.
    for (const item of list.items ?? []) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new MalformedResponseError({ method: 'GET', path }, `expected list items to be objects, got ${describe(item)}`);
      }
      const it = item as Record<string, unknown>;
      it.apiVersion ??= this.#apiVersion;
      if (this.info.kind) it.kind ??= this.info.kind;
    }
    list.items ??= [];
    if (options?.validate ?? this.#ctx.validateReads) for (const item of list.items) await this.#check(item, 'read', true);
    return list;
  }

  /** Every page of a list, following continue tokens. */
  async *pages(options?: ListOptions): AsyncIterable<KubeList<T>> {
    let token = options?.continue;
    const limit = options?.limit ?? DEFAULT_PAGE;
    for (;;) {
      const page = await this.list({ ...options, limit, ...(token ? { continue: token } : {}) });
      yield page;
      token = page.metadata?.continue;
      if (!token) return;
    }
  }

  /** Every object of a list, page by page. */
  async *iterate(options?: ListOptions): AsyncIterable<T> {
    for await (const page of this.pages(options)) yield* page.items;
  }

  /** Watches for changes, as an async iterable of events. */
  watch(options?: WatchOptions): AsyncIterable<WatchEvent<T>> {
    this.#needVerb('watch');
    const max = options?.maxLineBytes ?? this.#ctx.maxWatchLineBytes;
    return watchStream<T>(this.#ctx.transport, this.#path(), max === undefined ? options : { ...options, maxLineBytes: max });
  }

  /** Waits (on a watch) until the named object meets `condition`. */
  waitFor(name: string, condition: Condition<T>, options?: WaitOptions): Promise<T | undefined> {
    this.#needScope('waitFor');
    return waitForObject<T>(this, name, condition, options);
  }

  /** Creates an object; AlreadyExistsError if the name is taken. */
  async create(object: T, options?: WriteOptions): Promise<T> {
    this.#needVerb('create');
    const { body } = this.#prepare(object, false);
    await this.#check(body, 'write', options?.validate);
    const path = this.#path();
    return expectObject(await this.#ctx.transport.request<T>({ method: 'POST', path, query: this.#writeQuery(options), body, ...call(options) }), 'POST', path);
  }

  /** Replaces an object (its resourceVersion guards against lost updates). */
  async replace(object: T, options?: WriteOptions): Promise<T> {
    this.#needVerb('update');
    const { body, name } = this.#prepare(object, true);
    await this.#check(body, 'write', options?.validate);
    const path = this.#path(name);
    return expectObject(await this.#ctx.transport.request<T>({ method: 'PUT', path, query: this.#writeQuery(options), body, ...call(options) }), 'PUT', path);
  }

  /** Patches an object: merge, strategic merge or JSON patch. */
  async patch(name: string, patch: PatchInput<T>, options?: WriteOptions): Promise<T> {
    return this.#patch(name, undefined, patch, options);
  }

  async #patch<R>(name: string, subresource: string | undefined, patch: unknown, options?: WriteOptions): Promise<R> {
    this.#needScope('patch');
    this.#needVerb('patch');
    const p = isPatch(patch) ? patch : { type: 'merge' as const, body: patch };
    const path = this.#path(name, subresource);
    return expectObject(await this.#ctx.transport.request<R>({
      method: 'PATCH', path, query: this.#writeQuery(options),
      body: p.body, contentType: patchContentTypes[p.type as PatchType], ...call(options),
    }), 'PATCH', path);
  }

  /** Server-side apply: the fields given become this field manager's. */
  async apply(object: ApplyObject<T>, options?: ApplyOptions): Promise<T> {
    return this.#apply(object, undefined, options);
  }

  async #apply(object: unknown, subresource: string | undefined, options?: ApplyOptions): Promise<T> {
    this.#needVerb('patch');
    const query = this.#writeQuery(options, true);
    const { body, name } = this.#prepare(object, true);
    await this.#check(body, 'apply', options?.validate);
    const path = this.#path(name, subresource);
    return expectObject(await this.#ctx.transport.request<T>({
      method: 'PATCH', path, query, body, contentType: patchContentTypes.apply, ...call(options),
    }), 'PATCH', path);
  }

  /** Deletes an object; resolves with the object while it finalizes, undefined when gone. */
  async delete(name: string, options?: DeleteOptions): Promise<T | undefined> {
    this.#needScope('delete');
    this.#needVerb('delete');
    const res = await this.#ctx.transport.request<unknown>({
      method: 'DELETE', path: this.#path(name), body: deleteBody(options), ...call(options),
    });
    return res === undefined || isStatus(res) ? undefined : (res as T);
  }

  /** Deletes every object the selectors match. */
  async deleteCollection(options?: DeleteCollectionOptions): Promise<void> {
    this.#needScope('deleteCollection');
    this.#needVerb('deletecollection');
    await this.#ctx.transport.request<unknown>({
      method: 'DELETE', path: this.#path(), query: selectorQuery(options), body: deleteBody(options), ...call(options),
    });
  }

  /** Reads the status subresource. */
  async getStatus(name: string, options?: GetOptions): Promise<T> {
    this.#needScope('getStatus');
    this.#needSub('status');
    const path = this.#path(name, 'status');
    return this.#read(expectObject(await this.#ctx.transport.request<T>({ method: 'GET', path, ...call(options) }), 'GET', path), options);
  }

  /** Replaces the status subresource. */
  async replaceStatus(object: T, options?: WriteOptions): Promise<T> {
    this.#needSub('status');
    const { body, name } = this.#prepare(object, true);
    const path = this.#path(name, 'status');
    return expectObject(await this.#ctx.transport.request<T>({ method: 'PUT', path, query: this.#writeQuery(options), body, ...call(options) }), 'PUT', path);
  }

  /** Patches the status subresource. */
  async patchStatus(name: string, patch: PatchInput<T>, options?: WriteOptions): Promise<T> {
    this.#needSub('status');
    return this.#patch<T>(name, 'status', patch, options);
  }

  /** Server-side apply of the status subresource. */
  async applyStatus(object: ApplyObject<T>, options?: ApplyOptions): Promise<T> {
    this.#needSub('status');
    return this.#apply(object, 'status', { ...options, validate: false });
  }

  /** Reads the scale subresource. */
  async getScale(name: string, options?: CallOptions): Promise<Scale> {
    this.#needScope('getScale');
    this.#needSub('scale');
    const path = this.#path(name, 'scale');
    return expectObject(await this.#ctx.transport.request<Scale>({ method: 'GET', path, ...call(options) }), 'GET', path);
  }

  /** Sets the replica count through the scale subresource. */
  async scale(name: string, replicas: number, options?: WriteOptions): Promise<Scale> {
    this.#needSub('scale');
    if (!Number.isInteger(replicas) || replicas < 0) throw new UsageError(`replicas must be a non-negative integer, got ${replicas}`);
    return this.#patch<Scale>(name, 'scale', { type: 'merge', body: { spec: { replicas } } }, options);
  }

  /** Evicts a pod, honouring PodDisruptionBudgets. */
  async evict(name: string, options?: EvictOptions): Promise<void> {
    this.#needScope('evict');
    this.#needSub('eviction');
    const del = options?.deleteOptions ? deleteBody(options.deleteOptions) : undefined;
    await this.#ctx.transport.request<unknown>({
      method: 'POST',
      path: this.#path(name, 'eviction'),
      query: { dryRun: options?.dryRun ? 'All' : undefined },
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: this.namespaceName }, ...(del ? { deleteOptions: del } : {}) },
      ...call(options),
    });
  }

  /** Any other subresource of the named object, by name. */
  subresource(name: string, subresource: string): SubresourceHandle {
    this.#needScope('subresource');
    this.#needSub(subresource);
    const path = this.#path(name, subresource);
    const transport = this.#ctx.transport;
    const write = (method: 'POST' | 'PUT', body: unknown, options?: WriteOptions): RequestOptions => ({
      method, path, query: this.#writeQuery(options), body, ...call(options),
    });
    return {
      get: <R>(options?: CallOptions) => transport.request<R>({ method: 'GET', path, ...call(options) }),
      create: <R>(body: unknown, options?: WriteOptions) => transport.request<R>(write('POST', body, options)),
      replace: <R>(body: unknown, options?: WriteOptions) => transport.request<R>(write('PUT', body, options)),
      patch: <R>(patch: PatchInput<unknown>, options?: WriteOptions) => this.#patch<R>(name, subresource, patch, options),
    };
  }

  // The pod subresources (logs, exec, attach, cp, port-forward) live in pod-subresources.ts.
  get #pod(): PodTarget {
    return (this.#podTarget ??= {
      transport: this.#ctx.transport,
      maxLogLineBytes: this.#ctx.maxLogLineBytes,
      namespace: this.namespaceName ?? '',
      path: (name, sub, op) => {
        this.#needScope(op);
        this.#needSub(sub);
        return this.#path(name, sub);
      },
      podPath: (name) => this.#path(name),
    });
  }

  /** A container's log, whole. */
  logs(name: string, options?: LogOptions): Promise<string> {
    return podLogs(this.#pod, name, options);
  }

  /** A container's log as it is written, line by line. */
  followLogs(name: string, options?: Omit<LogOptions, 'timeoutMs'>): AsyncIterable<string> {
    return followPodLogs(this.#pod, name, options);
  }

  /** Runs a command in a pod's container (`kubectl exec`). */
  exec(name: string, options: ExecOptions): Promise<ExecProcess> {
    return podExec(this.#pod, name, options);
  }

  /** Attaches to a running container's stdio (`kubectl attach`). */
  attach(name: string, options: AttachOptions = {}): Promise<ExecProcess> {
    return podAttach(this.#pod, name, options);
  }

  /** Copies a local file or directory into a pod (`kubectl cp`). */
  copyToPod(name: string, localPath: string, remotePath: string, options?: CopyOptions): Promise<CopyResult> {
    return podCopyTo(this.#pod, name, localPath, remotePath, options);
  }

  /** Copies a file or directory out of a pod (`kubectl cp`). */
  copyFromPod(name: string, remotePath: string, localPath: string, options?: CopyOptions): Promise<CopyResult> {
    return podCopyFrom(this.#pod, name, remotePath, localPath, options);
  }

  /** Forwards local ports to a pod's ports (`kubectl port-forward`). */
  portForward(name: string, ports: readonly PortSpec[], options?: PortForwardOptions): Promise<PortForwarder> {
    return podPortForward(this.#pod, name, ports, options);
  }

  /** One stream to one port of a pod. */
  openPort(name: string, port: number, options?: PortStreamOptions): Promise<PodPortStream> {
    return podOpenPort(this.#pod, name, port, options);
  }
}

/** Narrow structural view used by waitFor. */
export type WaitableClient<T> = Pick<ResourceClient<T>, 'list' | 'watch' | 'info' | 'namespaceName'> & { readonly clock?: Clock | undefined };

export type { KubeObject };
