import { UsageError } from './errors.js';
import type { ResourceInfo } from './resource-info.js';

/** Where a request goes: the resource, an optional namespace, name and subresource. */
export interface PathParts {
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

// Every segment of a request path is checked here, before a byte is sent: a value from a
// custom resource spec, discovery or a manifest must never add a segment ('..', '/'),
// start a query ('?', '#') or reach the server raw (backslash, whitespace, non-ASCII).

// Group: '' or a DNS-1123 subdomain. Version, plural, subresource: DNS-1123 labels
// (what the API server accepts for CRDs; every built-in one fits too).
const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Names and namespaces are looser (RBAC names hold ':' and '@'): anything but what would
// change the path's structure; characters outside RFC 3986 pchar are percent-encoded.
const FORBIDDEN = /[/\\%?#\s\p{Cc}]/u;
const PCHAR = /[^A-Za-z0-9._~!$&'()*+,;=:@-]/gu;

function invalid(what: string, value: unknown, rule: string): UsageError {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : typeof value;
  return new UsageError(`invalid ${what} ${shown}: ${rule}`);
}

function checkSegment(what: string, value: string): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..' || FORBIDDEN.test(value)) {
    throw invalid(what, value, "must be a non-empty name without '/', '\\', '%', '?', '#', spaces or control characters, and not '.' or '..'");
  }
  try {
    return value.replace(PCHAR, encodeURIComponent);
  } catch {
    throw invalid(what, value, 'must be valid Unicode text (it holds an unpaired surrogate)');
  }
}

function checkToken(what: string, value: string, pattern: RegExp, max: number, rule: string): string {
  if (typeof value !== 'string' || value.length > max || !pattern.test(value)) throw invalid(what, value, rule);
  return value;
}

const LABEL_RULE = 'must be lower-case letters, digits and \'-\' (a DNS label, at most 63 characters)';

/** `/api/v1` or `/apis/apps/v1`. */
export function groupVersionPath(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  const version = checkToken('version', info.version, LABEL, 63, `${LABEL_RULE}, e.g. 'v1' or 'v1beta1'`);
  if (info.group === '') return `/api/${version}`;
  const group = checkToken('group', info.group, GROUP, 253, "must be '' (the core group) or a lower-case DNS name such as 'stable.example.com'");
  return `/apis/${group}/${version}`;
}

const checkedInfo = new WeakMap<object, { group: string; version: string; plural: string; gv: string; pluralSegment: string }>();

/**
 * The REST path for a resource: collection, item or subresource, namespaced or not.
 * Every segment is checked (UsageError) or percent-encoded.
 *
 * @example resourcePath(deployments, { namespace: 'web', name: 'app', subresource: 'scale' })
 *   // '/apis/apps/v1/namespaces/web/deployments/app/scale'
 */
export function resourcePath(info: Pick<ResourceInfo, 'group' | 'version' | 'plural' | 'namespaced'>, parts: PathParts = {}): string {
  let checked = checkedInfo.get(info);
  // Resource infos are long-lived (the generated table, one per handle): check them once.
  if (checked === undefined || checked.group !== info.group || checked.version !== info.version || checked.plural !== info.plural) {
    checked = {
      group: info.group, version: info.version, plural: info.plural,
      gv: groupVersionPath(info),
      pluralSegment: checkToken('plural', info.plural, LABEL, 63, `${LABEL_RULE}, e.g. 'crontabs'`),
    };
    checkedInfo.set(info, checked);
  }
  let path = checked.gv;
  const plural = checked.pluralSegment;
  if (parts.namespace !== undefined) {
    if (!info.namespaced) throw new UsageError(`${plural} is cluster-scoped: it has no namespace`);
    path += `/namespaces/${checkSegment('namespace', parts.namespace)}`;
  }
  path += `/${plural}`;
  if (parts.name !== undefined) path += `/${checkSegment('name', parts.name)}`;
  if (parts.subresource !== undefined) {
    if (parts.name === undefined) throw new UsageError('a subresource needs a name');
    path += `/${checkToken('subresource', parts.subresource, LABEL, 63, `${LABEL_RULE}, e.g. 'status'`)}`;
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
