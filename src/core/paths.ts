import { UsageError } from './errors.js';
import type { ResourceInfo } from './resource-info.js';

/** Where a request goes: the resource, an optional namespace, name and subresource. */
export interface PathParts {
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

// DNS-1123 subdomain-ish; we only reject what would break the URL, the server validates the rest.
const SEGMENT = /^[^/%?#\s]+$/;

function checkSegment(what: string, value: string): string {
  if (value === '' || value === '.' || value === '..' || !SEGMENT.test(value)) {
    throw new UsageError(`invalid ${what} ${JSON.stringify(value)}: must be a non-empty name without '/', '%', '?', '#' or spaces`);
  }
  return value;
}

/** `/api/v1` or `/apis/apps/v1`. */
export function groupVersionPath(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
}

/**
 * The REST path for a resource: collection, item or subresource, namespaced or not.
 *
 * @example resourcePath(deployments, { namespace: 'web', name: 'app', subresource: 'scale' })
 *   // '/apis/apps/v1/namespaces/web/deployments/app/scale'
 */
export function resourcePath(info: Pick<ResourceInfo, 'group' | 'version' | 'plural' | 'namespaced'>, parts: PathParts = {}): string {
  let path = groupVersionPath(info);
  if (parts.namespace !== undefined) {
    if (!info.namespaced) throw new UsageError(`${info.plural} is cluster-scoped: it has no namespace`);
    path += `/namespaces/${checkSegment('namespace', parts.namespace)}`;
  }
  path += `/${info.plural}`;
  if (parts.name !== undefined) path += `/${checkSegment('name', parts.name)}`;
  if (parts.subresource !== undefined) {
    if (parts.name === undefined) throw new UsageError('a subresource needs a name');
    path += `/${checkSegment('subresource', parts.subresource)}`;
  }
  return path;
}

/** Query parameter values as the API server expects them (booleans as 'true'/'false'). */
export type QueryValue = string | number | boolean | undefined;

/** Builds a query string (with leading '?', or '' when empty), skipping undefined values. */
export function queryString(params: Readonly<Record<string, QueryValue | readonly string[]>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const v of value as readonly string[]) search.append(key, v);
    } else {
      search.append(key, String(value));
    }
  }
  const s = search.toString();
  return s === '' ? '' : `?${s}`;
}
