/**
 * The types of the fluent surface. One generic handle, whose abilities come from the
 * resource table's literal types: scope (namespaced → `.namespace()`), verbs (no `create`
 * on a read-only resource) and subresources (`scale` only where there is one, `logs` only
 * on pods).
 */
import type { Clock } from '../core/clock.js';
import type { ListMeta, ObjectMeta, Scale } from '../../generated/models.js';
import type { KubeStatus } from '../core/errors.js';
import type { Patch, DeepPartial } from '../core/patch.js';
import type { ResourceInfo } from '../core/resource-info.js';
import type { FieldSelectorInput, LabelSelectorInput } from '../core/selectors.js';
import type { CopyOptions, CopyResult } from '../streams/cp.js';
import type { AttachOptions, ExecOptions, ExecProcess } from '../streams/exec.js';
import type { PortForwardOptions, PortForwarder, PortSpec } from '../streams/port-forward.js';
import type { PodPortStream, PortStreamOptions } from '../streams/port-stream.js';
import type { Condition } from './conditions.js';
import type { DefaultContainerOptions } from '../streams/default-container.js';
import type { WatchEvent, WatchOptions } from './watch.js';

/** The least every Kubernetes object has. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A list response: one page of items plus continue token and resourceVersion. */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** Options every call takes. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout for this call (ms); false disables it. */
  readonly timeoutMs?: number | false;
}

export interface GetOptions extends CallOptions {
  readonly resourceVersion?: string;
  /** Check the response against the generated (loose) schema. */
  readonly validate?: boolean;
}

/** Label and field selectors of list, watch and deleteCollection. */
export interface SelectorOptions {
  readonly labelSelector?: LabelSelectorInput;
  readonly fieldSelector?: FieldSelectorInput;
}

export interface ListOptions extends CallOptions, SelectorOptions {
  /** Page size; the server returns a continue token when there is more. */
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  readonly timeoutSeconds?: number;
  readonly validate?: boolean;
}

/** How the server treats unknown or duplicate fields in a write. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions extends CallOptions {
  /** Send with dryRun=All: the server validates and admits but does not persist. */
  readonly dryRun?: boolean;
  /** Defaults to the client's fieldManager, else 'kubefluent'. */
  readonly fieldManager?: string;
  /** Default 'Strict': unknown or duplicate fields are errors. */
  readonly fieldValidation?: FieldValidation;
  /** Validate the body against the generated strict schema first (default: the client's setting, on). */
  readonly validate?: boolean;
}

export interface ApplyOptions extends WriteOptions {
  /** Required here or on the client: server-side apply tracks ownership per manager. */
  readonly fieldManager?: string;
  /** Take ownership of fields other managers own instead of failing with a ConflictError. */
  readonly force?: boolean;
}

export interface DeleteOptions extends CallOptions {
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly dryRun?: boolean;
}

export interface DeleteCollectionOptions extends DeleteOptions, SelectorOptions {}

/** Options of `waitFor`. */
export interface WaitOptions {
  /** Give up after this long (ms) with a WaitTimeoutError; default 5 minutes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Apply payloads carry only what the caller sets: everything optional, recursively. */
export type ApplyObject<T> = T extends readonly (infer E)[]
  ? readonly ApplyObject<E>[]
  : T extends object
    ? { [K in keyof T]?: ApplyObject<T[K]> }
    : T;

/** What `patch` accepts: a typed {@link Patch}, or a partial object sent as a JSON merge patch. */
export type PatchInput<T> = Patch<T> | DeepPartial<T>;

/** Reading one object. */
export interface GetOps<T> {
  /** Reads one object; NotFoundError when it does not exist. */
  get(name: string, options?: GetOptions): Promise<T>;
  /** Like get, but undefined instead of NotFoundError. */
  getOrUndefined(name: string, options?: GetOptions): Promise<T | undefined>;
}

/** Listing objects. */
export interface ListOps<T> {
  /** One page (all items unless `limit` is set). */
  list(options?: ListOptions): Promise<KubeList<T>>;
  /** Every item across all pages, fetched `limit` at a time (default 500). */
  iterate(options?: ListOptions): AsyncIterable<T>;
  /** Every page, following continue tokens. */
  pages(options?: ListOptions): AsyncIterable<KubeList<T>>;
}

/** Watching objects. */
export interface WatchOps<T> {
  /** A low-level watch: typed events until the server ends the stream or the signal fires. */
  watch(options?: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/** Waiting for an object to meet a condition. */
export interface WaitOps<T> {
  /**
   * Waits (on a watch, not by polling) until `condition` holds for the named object;
   * the object is undefined while it does not exist.
   */
  waitFor(name: string, condition: Condition<T>, options?: WaitOptions): Promise<T | undefined>;
}

/** Creating objects. */
export interface CreateOps<T> {
  /** Creates an object; AlreadyExistsError if the name is taken. */
  create(object: T, options?: WriteOptions): Promise<T>;
}

/** Replacing and applying objects. */
export interface UpdateOps<T> {
  /** PUT: the object must carry metadata.resourceVersion for optimistic concurrency (ConflictError when stale). */
  replace(object: T, options?: WriteOptions): Promise<T>;
}

/** Patching objects. */
export interface PatchOps<T> {
  /** Patches an object: merge, strategic merge or JSON patch. */
  patch(name: string, patch: PatchInput<T>, options?: WriteOptions): Promise<T>;
  /** Server-side apply with the caller's field manager. */
  apply(object: ApplyObject<T>, options?: ApplyOptions): Promise<T>;
}

/** Deleting objects. */
export interface DeleteOps<T> {
  /** Deletes one object; resolves to the object while it is still terminating, else undefined. */
  delete(name: string, options?: DeleteOptions): Promise<T | undefined>;
}

/** Deleting many objects at once. */
export interface DeleteCollectionOps {
  /** Deletes every object the selectors match. */
  deleteCollection(options?: DeleteCollectionOptions): Promise<void>;
}

/** The status subresource. */
export interface StatusOps<T> {
  /** Reads the status subresource. */
  getStatus(name: string, options?: GetOptions): Promise<T>;
  /** Replaces the status subresource. */
  replaceStatus(object: T, options?: WriteOptions): Promise<T>;
  /** Patches the status subresource. */
  patchStatus(name: string, patch: PatchInput<T>, options?: WriteOptions): Promise<T>;
  /** Server-side apply of the status subresource. */
  applyStatus(object: ApplyObject<T>, options?: ApplyOptions): Promise<T>;
}

/** The scale subresource. */
export interface ScaleOps {
  /** Reads the scale subresource. */
  getScale(name: string, options?: CallOptions): Promise<Scale>;
  /** Sets spec.replicas through the scale subresource. */
  scale(name: string, replicas: number, options?: WriteOptions): Promise<Scale>;
}

export interface EvictOptions extends CallOptions {
  readonly dryRun?: boolean;
  readonly deleteOptions?: Omit<DeleteOptions, keyof CallOptions | 'dryRun'>;
}

/** The eviction subresource of pods. */
export interface EvictionOps {
  /** Evicts a pod through the eviction subresource (respects PodDisruptionBudgets; 429 when one blocks). */
  evict(name: string, options?: EvictOptions): Promise<void>;
}

export interface LogOptions extends CallOptions, DefaultContainerOptions {
  /** The container; when left out and the pod has several, kubectl's default (see {@link DefaultContainerOptions}). */
  readonly container?: string;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  readonly timestamps?: boolean;
  readonly previous?: boolean;
  readonly limitBytes?: number;
  /**
   * followLogs only: the longest line accepted, in bytes (default 4 MiB, or the client's
   * `maxLogLineBytes`); a longer one ends the iteration with MalformedResponseError('LineTooLong').
   */
  readonly maxLineBytes?: number;
}

/** Container logs of pods. */
export interface LogOps {
  /** The container log as text (pods only). */
  logs(name: string, options?: LogOptions): Promise<string>;
  /** The container log as it is written (follow=true), one line at a time, until the container stops or the signal fires. */
  followLogs(name: string, options?: Omit<LogOptions, 'timeoutMs'>): AsyncIterable<string>;
}

/** Running commands in pods. */
export interface ExecOps {
  /**
   * Runs a command in a container: stdout/stderr as AsyncIterables, stdin, resize, and
   * `exit` (the code; non-zero is a result). Rejects with a typed error when it cannot start.
   * @example const { code, stdout } = await (await pods.exec('web', { command: ['ls', '/'] })).output()
   */
  exec(name: string, options: ExecOptions): Promise<ExecProcess>;
  /** Copies a local file or directory into the container (tar over exec; `tar` must be in the image). */
  copyToPod(name: string, localPath: string, remotePath: string, options?: CopyOptions): Promise<CopyResult>;
  /** Copies a file or directory out of the container; hostile archives are refused (CopyError UnsafeTarEntry). */
  copyFromPod(name: string, remotePath: string, localPath: string, options?: CopyOptions): Promise<CopyResult>;
}

/** Attaching to pods' containers. */
export interface AttachOps {
  /** Attaches to the running container's main process (same handle as exec). */
  attach(name: string, options?: AttachOptions): Promise<ExecProcess>;
}

/** Port forwarding to pods. */
export interface PortForwardOps {
  /** Forwards pod ports to listeners on 127.0.0.1 (`[8080, '9090:90', ':5432']`); one pod connection per local connection. */
  portForward(name: string, ports: readonly PortSpec[], options?: PortForwardOptions): Promise<PortForwarder>;
  /** One byte stream to a pod port, without a listener. */
  openPort(name: string, port: number, options?: PortStreamOptions): Promise<PodPortStream>;
}

/** Raw access to one subresource of one object; the caller names the result type. */
export interface SubresourceHandle {
  /** Reads the subresource. */
  get<R = unknown>(options?: CallOptions): Promise<R>;
  /** Posts to the subresource. */
  create<R = unknown>(body: unknown, options?: WriteOptions): Promise<R>;
  /** Replaces the subresource. */
  replace<R = unknown>(body: unknown, options?: WriteOptions): Promise<R>;
  /** Patches the subresource. */
  patch<R = unknown>(patch: PatchInput<unknown>, options?: WriteOptions): Promise<R>;
}

/** Streaming subresources need an upgraded connection; they get their own methods (logs, exec, attach, portForward). */
export type StreamingSubresource = 'exec' | 'attach' | 'portforward' | 'proxy' | 'log';

/** Access to the resource's other subresources by name. */
export interface SubresourceOps<S extends string> {
  /**
   * Any other subresource the table lists for this resource: binding, ephemeralcontainers,
   * resize, token, approval, … (typed by name; results typed by the caller).
   * @example kube.serviceaccounts.namespace('ci').subresource('builder', 'token').create<TokenRequest>({ spec: { audiences: ['api'] } })
   */
  subresource(name: string, subresource: S): SubresourceHandle;
}

type Verb<I extends ResourceInfo> = I['verbs'][number];
type Sub<I extends ResourceInfo> = I['subresources'][number];
type If<C extends boolean, X> = C extends true ? X : unknown;
type Has<U, V extends string> = V extends U ? true : false;

/** The ops on one object scope (a namespace, or the cluster for cluster-scoped resources). */
export type ScopedOps<T, I extends ResourceInfo> =
  & If<Has<Verb<I>, 'get'>, GetOps<T>>
  & If<Has<Verb<I>, 'list'>, ListOps<T>>
  & If<Has<Verb<I>, 'watch'>, WatchOps<T>>
  & If<Has<Verb<I>, 'list'> extends true ? Has<Verb<I>, 'watch'> : false, WaitOps<T>>
  & If<Has<Verb<I>, 'create'>, CreateOps<T>>
  & If<Has<Verb<I>, 'update'>, UpdateOps<T>>
  & If<Has<Verb<I>, 'patch'>, PatchOps<T>>
  & If<Has<Verb<I>, 'delete'>, DeleteOps<T>>
  & If<Has<Verb<I>, 'deletecollection'>, DeleteCollectionOps>
  & If<Has<Sub<I>, 'status'>, StatusOps<T>>
  & If<Has<Sub<I>, 'scale'>, ScaleOps>
  & If<Has<Sub<I>, 'eviction'>, EvictionOps>
  & If<Has<Sub<I>, 'log'>, LogOps>
  & If<Has<Sub<I>, 'exec'>, ExecOps>
  & If<Has<Sub<I>, 'attach'>, AttachOps>
  & If<Has<Sub<I>, 'portforward'>, PortForwardOps>
  & ([Exclude<Sub<I>, StreamingSubresource>] extends [never] ? unknown : SubresourceOps<Exclude<Sub<I>, StreamingSubresource>>)
  & {
    readonly info: I;
    readonly namespaceName: string | undefined;
    /** The clock of the transport's runtime timers (a fake cluster's FakeClock); informers, waits and leases on this handle use it. Undefined: the system clock. */
    readonly clock: Clock | undefined;
  };

/** A namespaced resource: pick a namespace, or list/watch across all of them. */
export type NamespacedHandle<T, I extends ResourceInfo> =
  & If<Has<Verb<I>, 'list'>, ListOps<T>>
  & If<Has<Verb<I>, 'watch'>, WatchOps<T>>
  & {
    readonly info: I;
    /** The clock of the transport's runtime timers; undefined: the system clock. */
    readonly clock: Clock | undefined;
    /** The ops inside one namespace; without an argument, the config's default namespace. */
    namespace(name?: string): ScopedOps<T, I>;
  };

/** A cluster-scoped resource: no namespace step. */
export type ClusterHandle<T, I extends ResourceInfo> = ScopedOps<T, I>;

/** A handle whose scope is known only at run time (discovery): both shapes, checked when called. */
export type DynamicHandle<T, I extends ResourceInfo> = ScopedOps<T, I> & {
  /** The handle scoped to one namespace. */
  namespace(name?: string): ScopedOps<T, I>;
};

/** The handle type for a resource, chosen by its scope. */
export type ResourceHandle<T, I extends ResourceInfo> = I['namespaced'] extends true
  ? NamespacedHandle<T, I>
  : I['namespaced'] extends false
    ? ClusterHandle<T, I>
    : DynamicHandle<T, I>;

/** How a custom resource (or any group/version) is described by the caller. */
export interface CustomResourceSpec {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** Needed for create/apply bodies; defaults from discovery when omitted there. */
  readonly kind?: string;
  readonly namespaced: boolean;
  readonly singular?: string;
  readonly verbs?: readonly string[];
  readonly subresources?: readonly string[];
}

/** The full info for a {@link CustomResourceSpec}: absent verbs mean all verbs; absent subresources mean none. */
export type InfoOf<S extends CustomResourceSpec> = ResourceInfo & {
  readonly namespaced: S['namespaced'];
  readonly verbs: S['verbs'] extends readonly string[] ? S['verbs'] : readonly string[];
  readonly subresources: S['subresources'] extends readonly string[] ? S['subresources'] : readonly never[];
};

export type { KubeStatus };
