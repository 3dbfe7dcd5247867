/**
 * The two calls a watcher needs from the client: list one page, open one watch. A small
 * interface so the watcher can run on a resource handle, on the transport directly
 * (metadata-only mode needs its own Accept header), or on a fake in unit tests.
 */
import type { Clock } from '../core/clock.js';
import type { ResourceInfo } from '../core/resource-info.js';
import { resourcePath } from '../core/paths.js';
import { type FieldSelectorInput, formatFieldSelector, formatLabelSelector, type LabelSelectorInput } from '../core/selectors.js';
import type { KubeList, ListOptions } from '../client/types.js';
import { type WatchEvent, type WatchOptions, watchStream } from '../client/watch.js';
import type { KubeTransport as Transport } from '../transport/kube-transport.js';
import type { HasMetadata, PartialObjectMetadata } from './object-meta.js';

/** One page of a list. */
export interface ListRequest {
  readonly limit?: number;
  readonly continue?: string;
  /** Unset: a consistent (quorum) read, never older than what the watcher has seen. */
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/** One watch request. */
export interface WatchRequest {
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'NotOlderThan';
  /** Streaming list: the current state as ADDED events first, ended by an annotated bookmark. */
  readonly sendInitialEvents?: boolean;
  readonly allowWatchBookmarks: boolean;
  readonly timeoutSeconds?: number;
  readonly inactivityTimeoutMs?: number | false;
}

/** What a watcher consumes. Errors are thrown (typed, see core/errors); the watcher turns them into values. */
export interface ListerWatcher<T> {
  /** Lists the objects. */
  list(request: ListRequest, signal: AbortSignal): Promise<KubeList<T>>;
  /** Watches the objects from a resourceVersion. */
  watch(request: WatchRequest, signal: AbortSignal): AsyncIterable<WatchEvent<T>>;
  /** The clock of the cluster behind this source (a test's fake one); watchers and informers on it use it unless given another. Unset: the system clock. */
  readonly clock?: Clock | undefined;
}

/**
 * A ListerWatcher with an identity: resource, namespace, selectors and mode. Two sources
 * with the same id see the same objects, so a shared factory can give them one watch.
 */
export interface InformerSource<T> extends ListerWatcher<T> {
  readonly id: string;
}

/** What to watch, for {@link resourceSource}. */
export interface ResourceSelection {
  /** Only this namespace; all namespaces when omitted (namespaced resources). */
  readonly namespace?: string;
  readonly labelSelector?: LabelSelectorInput;
  readonly fieldSelector?: FieldSelectorInput;
  /**
   * Fetch PartialObjectMetadata (metadata only) instead of whole objects: the cache then
   * holds names, labels, annotations and owners, and a fraction of the memory.
   */
  readonly metadataOnly?: boolean;
}

const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

function selectionId(resource: Pick<ResourceInfo, 'group' | 'version' | 'plural'>, sel: ResourceSelection): string {
  const gv = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
  const parts = [
    `${gv}/${resource.plural}`,
    `ns=${sel.namespace ?? '*'}`,
    `labels=${sel.labelSelector === undefined ? '' : formatLabelSelector(sel.labelSelector)}`,
    `fields=${sel.fieldSelector === undefined ? '' : formatFieldSelector(sel.fieldSelector)}`,
  ];
  if (sel.metadataOnly) parts.push('metadata-only');
  return parts.join(' ');
}

/**
 * The list and watch calls of one resource, straight on the transport.
 *
 * @example
 * const source = resourceSource<ConfigMap>(transport, resources['v1/configmaps'], { namespace: 'web' });
 * const w = watcher(source, { signal });
 */
export function resourceSource<T extends HasMetadata>(
  transport: Transport,
  resource: Pick<ResourceInfo, 'group' | 'version' | 'plural' | 'namespaced'>,
  selection?: ResourceSelection & { readonly metadataOnly?: false },
): InformerSource<T>;
export function resourceSource(
  transport: Transport,
  resource: Pick<ResourceInfo, 'group' | 'version' | 'plural' | 'namespaced'>,
  selection: ResourceSelection & { readonly metadataOnly: true },
): InformerSource<PartialObjectMetadata>;
export function resourceSource<T extends HasMetadata>(
  transport: Transport,
  resource: Pick<ResourceInfo, 'group' | 'version' | 'plural' | 'namespaced'>,
  selection: ResourceSelection = {},
): InformerSource<T> {
  const path = resourcePath(resource, selection.namespace === undefined ? {} : { namespace: selection.namespace });
  const labelSelector = selection.labelSelector === undefined ? undefined : formatLabelSelector(selection.labelSelector);
  const fieldSelector = selection.fieldSelector === undefined ? undefined : formatFieldSelector(selection.fieldSelector);
  return {
    id: selectionId(resource, selection),
    ...(transport.clock !== undefined ? { clock: transport.clock } : {}),
    list(request, signal) {
      return transport.request<KubeList<T>>({
        method: 'GET', path, signal,
        query: { ...request, labelSelector, fieldSelector },
        ...(selection.metadataOnly ? { accept: METADATA_LIST_ACCEPT } : {}),
      });
    },
    watch(request, signal) {
      return watchStream<T>(transport, path, {
        ...request, signal,
        ...(selection.metadataOnly ? { accept: METADATA_WATCH_ACCEPT } : {}),
        ...(labelSelector !== undefined ? { labelSelector } : {}),
        ...(fieldSelector !== undefined ? { fieldSelector } : {}),
      });
    },
  };
}

/** The list/watch part of a resource handle (any scope). */
export interface ListWatchHandle<T> {
  /** Lists the objects. */
  list(options?: ListOptions): Promise<KubeList<T>>;
  /** Watches the objects. */
  watch(options?: WatchOptions): AsyncIterable<WatchEvent<T>>;
  readonly info: Pick<ResourceInfo, 'group' | 'version' | 'plural'>;
  readonly namespaceName?: string | undefined;
  /** The transport's clock, when it has one (resource handles have it). */
  readonly clock?: Clock | undefined;
}

/**
 * The list and watch calls of a client handle, e.g. `client.configMaps.namespace('web')`.
 *
 * @example const source = handleSource(client.pods.namespace('web'), { labelSelector: { app: 'web' } });
 */
export function handleSource<T extends HasMetadata>(
  handle: ListWatchHandle<T>,
  selection: Omit<ResourceSelection, 'namespace' | 'metadataOnly'> = {},
): InformerSource<T> {
  const sel = { ...selection, ...(handle.namespaceName !== undefined ? { namespace: handle.namespaceName } : {}) };
  return {
    id: selectionId(handle.info, sel),
    ...(handle.clock !== undefined ? { clock: handle.clock } : {}),
    list(request, signal) {
      return handle.list({ ...request, ...selection, signal });
    },
    watch(request, signal) {
      return handle.watch({ ...request, ...selection, signal });
    },
  };
}
