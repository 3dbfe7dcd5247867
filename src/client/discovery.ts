/**
 * Discovery: which resources a group/version serves, their plural, scope, verbs and
 * subresources. Cached per group/version (kind → plural and scope) and refreshed once
 * on a miss, so a CRD installed after the first look is still found.
 */
import { DiscoveryError, NotFoundError } from '../core/errors.js';
import type { ResourceInfo } from '../core/resource-info.js';
import type { KubeTransport as Transport } from '../transport/kube-transport.js';

interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
}

/** What to look up: an apiVersion (`stable.example.com/v1`) or group + version, and a kind or plural. */
export interface DiscoveryQuery {
  readonly apiVersion?: string;
  readonly group?: string;
  /** Omit to use the group's preferred version. */
  readonly version?: string;
  readonly kind?: string;
  readonly plural?: string;
}

interface Entry {
  readonly at: number;
  readonly resources: readonly ResourceInfo[];
}

function split(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The API server's discovery documents (groups, versions, resources), cached per client. */
export class Discovery {
  readonly #transport: Transport;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, Entry>();

  constructor(transport: Transport, options: { ttlMs?: number } = {}) {
    this.#transport = transport;
    this.#ttlMs = options.ttlMs ?? 600_000;
  }

  /** Forgets everything (e.g. after installing CRDs). */
  invalidate(): void {
    this.#cache.clear();
  }

  /** The resources of one group/version. */
  async resources(group: string, version: string, options: { signal?: AbortSignal; fresh?: boolean } = {}): Promise<readonly ResourceInfo[]> {
    const key = `${group}/${version}`;
    const hit = this.#cache.get(key);
    if (hit && !options.fresh && Date.now() - hit.at < this.#ttlMs) return hit.resources;
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    let list: { resources?: APIResource[] };
    try {
      list = await this.#transport.request<{ resources?: APIResource[] }>({ method: 'GET', path, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (e) {
      if (e instanceof NotFoundError) throw new DiscoveryError(`the API server does not serve ${group === '' ? version : key}`, { cause: e });
      throw e;
    }
    const subs = new Map<string, string[]>();
    for (const r of list.resources ?? []) {
      const [base, sub] = r.name.split('/');
      if (sub !== undefined && base !== undefined) subs.set(base, [...(subs.get(base) ?? []), sub]);
    }
    const resources: ResourceInfo[] = (list.resources ?? [])
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        group, version, kind: r.kind, plural: r.name, singular: r.singularName || r.kind.toLowerCase(),
        namespaced: r.namespaced, verbs: r.verbs ?? [], subresources: subs.get(r.name) ?? [],
      }));
    this.#cache.set(key, { at: Date.now(), resources });
    return resources;
  }

  /** The versions this cluster serves of an API group (`/api` for the core group); undefined when it serves no such group. */
  async servedVersions(group: string, signal?: AbortSignal): Promise<string[] | undefined> {
    try {
      const g = await this.#transport.request<{ versions?: unknown[] }>({ method: 'GET', path: group === '' ? '/api' : `/apis/${group}`, ...(signal ? { signal } : {}) });
      // /api lists bare strings, /apis/<group> lists { groupVersion, version } objects.
      return (g.versions ?? []).flatMap((v) => (typeof v === 'string' ? [v] : typeof v === 'object' && v !== null && typeof (v as { version?: unknown }).version === 'string' ? [(v as { version: string }).version] : []));
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /** The preferred version of an API group. */
  async preferredVersion(group: string, signal?: AbortSignal): Promise<string> {
    if (group === '') return 'v1';
    try {
      const g = await this.#transport.request<{ preferredVersion?: { version?: string } }>({ method: 'GET', path: `/apis/${group}`, ...(signal ? { signal } : {}) });
      const v = g.preferredVersion?.version;
      if (!v) throw new DiscoveryError(`API group ${group} reports no preferred version`);
      return v;
    } catch (e) {
      if (e instanceof NotFoundError) throw new DiscoveryError(`the API server does not serve the group ${group}`, { cause: e });
      throw e;
    }
  }

  /** Finds one resource by kind or plural; refreshes the cache once before giving up. */
  async find(query: DiscoveryQuery, signal?: AbortSignal): Promise<ResourceInfo> {
    const gv = query.apiVersion !== undefined ? split(query.apiVersion) : { group: query.group ?? '', version: query.version };
    const version = gv.version ?? (await this.preferredVersion(gv.group, signal));
    const match = (r: ResourceInfo): boolean =>
      (query.kind === undefined || r.kind === query.kind) && (query.plural === undefined || r.plural === query.plural);
    if (query.kind === undefined && query.plural === undefined) throw new DiscoveryError('discovery needs a kind or a plural');
    for (const fresh of [false, true]) {
      const found = (await this.resources(gv.group, version, { fresh, ...(signal ? { signal } : {}) })).find(match);
      if (found) return found;
    }
    const apiVersion = gv.group === '' ? version : `${gv.group}/${version}`;
    throw new DiscoveryError(`${apiVersion} has no resource ${query.kind ? `of kind ${query.kind}` : `named ${query.plural ?? ''}`}; is the CRD installed?`);
  }
}
