/**
 * What the client needs to know about one REST resource. The generated table
 * (generated/resources.ts) holds one entry per built-in resource; custom resources
 * get the same shape from the caller or from discovery.
 */
export interface ResourceInfo {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** URL segment, e.g. 'deployments'. Never derived by adding "s". */
  readonly plural: string;
  /** Lower-case kind, as discovery reports it. */
  readonly singular: string;
  readonly namespaced: boolean;
  /** REST verbs on the collection/item: get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verbs: readonly string[];
  /** Subresource names: status, scale, log, exec, attach, portforward, eviction, binding, proxy, … */
  readonly subresources: readonly string[];
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}
