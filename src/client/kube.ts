/**
 * The client proper: `kube.pods.namespace('web')`, `kube.resource('apps/v1/deployments')`,
 * `kube.customResource({...})`. The public `Kube` (src/kube.ts) adds kubectl's verbs from
 * src/ops on top; this layer never imports ops (ops takes a narrow view of this class).
 */
import { preferred, type PreferredName, type ResourceKey, type Resources, resources, type ResourceTypeMap, resourceKeysByKind } from '../../generated/resources.js';
import { ClusterConfig } from '../config/cluster-config.js';
import { type ConfigOptions, loadClusterConfig } from '../config/load.js';
import { UsageError } from '../core/errors.js';
import type { ResourceInfo } from '../core/resource-info.js';
import type { StandardSchemaV1 } from '../core/standard-schema.js';
import type { KubeTransport } from '../transport/kube-transport.js';
import { Transport, type TransportOptions } from '../transport/transport.js';
import { Discovery, type DiscoveryQuery } from './discovery.js';
import { type ClientContext, type ObjectValidator, ResourceClient } from './resource-client.js';
import type { CallOptions, CustomResourceSpec, DynamicHandle, FieldValidation, InfoOf, KubeObject, ResourceHandle } from './types.js';
import { generatedSchemaValidator, schemaValidator } from './validate.js';

/** Client-wide settings: transport, validation and defaults for every call. */
export interface ClientOptions extends TransportOptions {
  /** The field manager for writes; apply requires it here or per call. Writes otherwise use 'kubefluent'. */
  readonly fieldManager?: string;
  /** Server-side field validation for writes; default 'Strict'. */
  readonly fieldValidation?: FieldValidation;
  /**
   * Client-side schema validation: writes are checked against the generated strict
   * schemas by default (loaded on the first check, not at import); reads only when asked.
   * false turns it off; an object picks each.
   */
  readonly validate?: boolean | { readonly writes?: boolean; readonly reads?: boolean };
  /** Replaces the generated-schema validator (e.g. for tests or a newer cluster). */
  readonly validator?: ObjectValidator;
  /** How long discovery results are cached; default 10 minutes. */
  readonly discoveryTtlMs?: number;
  /** Longest watch event line in bytes (default 32 MiB); a longer one is a malformed event. */
  readonly maxWatchLineBytes?: number;
  /** Longest line of followed logs in bytes (default 4 MiB). */
  readonly maxLogLineBytes?: number;
  /**
   * A ready-made transport to use instead of the node:http one (an in-memory fake for
   * tests, a fetch-based one); the transport options above then do not apply.
   */
  readonly transport?: KubeTransport;
}

export interface ConnectOptions extends ConfigOptions, ClientOptions {}

type HandleFor<K extends ResourceKey> = ResourceHandle<ResourceTypeMap[K], Resources[K]>;

/**
 * `kube.pods`, `kube.deployments`, … one getter per resource name, at its preferred version.
 * Only APIs a cluster serves by default (GA and beta) have a getter; alpha APIs, which a cluster
 * serves only when a feature gate enables them, are reached by their full key:
 * `kube.resource('lifecycle.k8s.io/v1alpha1/evictionrequests')`.
 */
export type PreferredHandles = {
  readonly [N in PreferredName]: HandleFor<(typeof preferred)[N]>;
};

/**
 * Describes a custom resource for {@link KubeClient.customResource}, optionally with a schema for
 * its objects: any Standard Schema (zod 3.24+/4, valibot, arktype, …), synchronous or not.
 */
export interface CustomResourceOptions<T> extends CustomResourceSpec {
  /** Objects are checked against this schema on writes (and on reads when asked). */
  readonly schema?: StandardSchemaV1<unknown, T>;
}

function isResourceKey(key: string): key is ResourceKey {
  return Object.hasOwn(resources, key);
}

function infoFromSpec(spec: CustomResourceSpec): ResourceInfo {
  return {
    group: spec.group,
    version: spec.version,
    plural: spec.plural,
    kind: spec.kind ?? '',
    singular: spec.singular ?? (spec.kind ?? '').toLowerCase(),
    namespaced: spec.namespaced,
    verbs: spec.verbs ?? [],
    subresources: spec.subresources ?? [],
  };
}

/** A connected client for one cluster (without the kubectl verbs: see `Kube`). */
export class KubeClient {
  /** The resolved cluster configuration (server, namespace, credentials kind — never printed secrets). */
  readonly config: ClusterConfig;
  readonly transport: KubeTransport;
  /** Cached discovery of the cluster's resources (for custom resources and unknown kinds). */
  readonly discovery: Discovery;
  readonly #ctx: ClientContext;
  readonly #handles = new Map<string, unknown>();

  /** Builds a client from an already resolved config (no I/O). */
  constructor(config: ClusterConfig, options: ClientOptions = {}) {
    this.config = config;
    this.transport = options.transport ?? new Transport(config, options);
    this.discovery = new Discovery(this.transport, options.discoveryTtlMs !== undefined ? { ttlMs: options.discoveryTtlMs } : {});
    const v = options.validate;
    const writes = typeof v === 'object' ? (v.writes ?? true) : (v ?? true);
    const reads = typeof v === 'object' ? (v.reads ?? false) : false;
    this.#ctx = {
      transport: this.transport,
      defaultNamespace: config.namespace,
      fieldManager: options.fieldManager,
      fieldValidation: options.fieldValidation ?? 'Strict',
      validateWrites: writes,
      validateReads: reads,
      validator: options.validator ?? generatedSchemaValidator,
      maxWatchLineBytes: options.maxWatchLineBytes,
      maxLogLineBytes: options.maxLogLineBytes,
    };
  }

  /**
   * Finds the cluster as kubectl would ($KUBECONFIG, ~/.kube/config, in-cluster) and
   * returns a client. Only reads configuration; the first request opens the connection.
   *
   * @example const kube = await Kube.connect({ context: 'kind-dev', fieldManager: 'deployer' })
   */
  static async connect<C extends KubeClient>(this: new (config: ClusterConfig, options?: ClientOptions) => C, options: ConnectOptions = {}): Promise<C> {
    const config = await loadClusterConfig(options);
    return new this(config, options);
  }

  /** The config's default namespace (context namespace, or the pod's in-cluster). */
  get defaultNamespace(): string {
    return this.config.namespace;
  }

  /**
   * A handle on any built-in resource by key, or on any resource by its info.
   *
   * @example kube.resource('apps/v1/deployments').namespace('web').get('app')
   * @example kube.resource({ group: 'stable.example.com', version: 'v1', plural: 'crontabs', kind: 'CronTab', namespaced: true })
   */
  resource<K extends ResourceKey>(key: K): HandleFor<K>;
  resource<const S extends CustomResourceSpec>(spec: S): ResourceHandle<KubeObject, InfoOf<S>>;
  resource(keyOrSpec: string | CustomResourceSpec): unknown {
    if (typeof keyOrSpec === 'string') {
      if (!isResourceKey(keyOrSpec)) {
        throw new UsageError(`unknown resource key ${JSON.stringify(keyOrSpec)}: use '<apiVersion>/<plural>' such as 'apps/v1/deployments', or resource({ group, version, plural, namespaced })`);
      }
      let h = this.#handles.get(keyOrSpec);
      if (!h) {
        h = new ResourceClient(resources[keyOrSpec], this.#ctx);
        this.#handles.set(keyOrSpec, h);
      }
      return h;
    }
    return new ResourceClient(infoFromSpec(keyOrSpec), this.#ctx);
  }

  /**
   * A handle on a custom resource, typed by the schema's output (writes are validated
   * against it), or by an explicit `T` (then the scope is checked at run time).
   *
   * @example kube.customResource({ group: 'stable.example.com', version: 'v1', plural: 'crontabs', kind: 'CronTab', namespaced: true, schema: cronTabSchema })
   * @example kube.customResource<CronTab>({ group: 'stable.example.com', version: 'v1', plural: 'crontabs', kind: 'CronTab', namespaced: true })
   */
  customResource<const S extends CustomResourceSpec & { readonly schema: StandardSchemaV1 }>(spec: S): ResourceHandle<StandardSchemaV1.InferOutput<S['schema']>, InfoOf<S>>;
  customResource<T = KubeObject, const S extends CustomResourceSpec = CustomResourceSpec>(spec: S & { readonly schema?: StandardSchemaV1<unknown, T> }): ResourceHandle<T, InfoOf<S>>;
  customResource(spec: CustomResourceOptions<unknown>): unknown {
    const validator = spec.schema ? schemaValidator(spec.schema) : undefined;
    return new ResourceClient<unknown>(infoFromSpec(spec), this.#ctx, undefined, validator);
  }

  /**
   * Finds a resource through discovery (kind → plural and scope, cached) and returns a handle
   * whose scope is checked at run time.
   *
   * @example const tabs = await kube.discover<CronTab>({ apiVersion: 'stable.example.com/v1', kind: 'CronTab' })
   */
  async discover<T = KubeObject>(query: DiscoveryQuery & { readonly schema?: StandardSchemaV1<unknown, T> }, signal?: AbortSignal): Promise<DynamicHandle<T, ResourceInfo>> {
    const apiVersion = query.apiVersion ?? (query.group ? `${query.group}/${query.version ?? ''}` : query.version);
    if (apiVersion && query.kind && !apiVersion.endsWith('/')) {
      const key = (resourceKeysByKind as Readonly<Record<string, ResourceKey>>)[`${apiVersion}/${query.kind}`];
      if (key !== undefined && Object.hasOwn(resourceKeysByKind, `${apiVersion}/${query.kind}`)) {
        return new ResourceClient<T>(resources[key], this.#ctx) as unknown as DynamicHandle<T, ResourceInfo>;
      }
    }
    const info = await this.discovery.find(query, signal);
    const validator = query.schema ? schemaValidator(query.schema) : undefined;
    return new ResourceClient<T>(info, this.#ctx, undefined, validator) as unknown as DynamicHandle<T, ResourceInfo>;
  }

  /**
   * Closes the connections (requests still open after a short grace, such as forgotten
   * watches, are cut); the client stays usable and reconnects on the next request.
   */
  async close(): Promise<void> {
    await this.transport.close();
  }

  static {
    for (const [name, key] of Object.entries(preferred)) {
      Object.defineProperty(KubeClient.prototype, name, {
        configurable: true,
        enumerable: false,
        get(this: KubeClient) {
          return this.resource(key);
        },
      });
    }
  }
}

// Declaration merging: the getters defined in the static block above.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface KubeClient extends PreferredHandles {}
