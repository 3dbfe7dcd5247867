/**
 * Derives the resource table from the documents' `paths`: one entry per REST resource
 * (group, version, plural), with its kind, scope, verbs and subresources, read from each
 * operation's `x-kubernetes-action` and `x-kubernetes-group-version-kind`.
 */
import { apiVersionOf, type ResourceInfo } from '../../src/core/resource-info.js';
import { GenerateError, jsonPath } from './errors.js';
import type { LoadedDocument } from './load.js';
import { compareVersions } from './naming.js';
import { refName } from './normalize.js';
import type { GroupVersionKind, Schema } from './spec.js';
import { HTTP_METHODS } from './spec.js';

/** One row of generated/resources.ts. */
export interface ResourceEntry extends ResourceInfo {
  /** Definition name of the object, e.g. `io.k8s.api.core.v1.Pod`. */
  readonly schema: string;
  /** Definition name of the list, when the resource can be listed. */
  readonly listSchema?: string;
}

/** x-kubernetes-action → REST verb; `connect` is only ever a subresource (exec, proxy, …). */
const VERBS: Readonly<Record<string, string | undefined>> = {
  get: 'get',
  list: 'list',
  watch: 'watch',
  watchlist: 'watch',
  post: 'create',
  put: 'update',
  patch: 'patch',
  delete: 'delete',
  deletecollection: 'deletecollection',
  connect: undefined,
};

interface ParsedPath {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** Subresource name, for `/{name}/<sub>` paths. */
  subresource: string | undefined;
  watchOnly: boolean;
}

/** `/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale` → its parts; undefined for non-resource paths. */
export function parseResourcePath(path: string): ParsedPath | undefined {
  const segs = path.split('/').filter((s) => s !== '');
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 2) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 3) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  const watchOnly = rest[0] === 'watch';
  if (watchOnly) rest = rest.slice(1);
  const namespaced = rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length >= 3;
  if (namespaced) rest = rest.slice(2);
  const plural = rest[0];
  if (plural === undefined || plural.startsWith('{')) return undefined;
  if (rest.length >= 2 && rest[1] !== '{name}') return undefined;
  return { group, version, plural, namespaced, subresource: rest[2], watchOnly };
}

interface Accumulator {
  group: string;
  version: string;
  plural: string;
  kind?: GroupVersionKind;
  kindAt?: string;
  namespaced: boolean;
  verbs: Set<string>;
  subresources: Set<string>;
  listSchema?: string;
  hasMainPath: boolean;
  watchable: boolean;
}

function listResponseSchema(op: { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }): string | undefined {
  const schema = op.responses?.['200']?.content?.['application/json']?.schema;
  return schema ? refName(schema) : undefined;
}

/** Builds the table keyed `v1/pods`, `apps/v1/deployments`, in sorted order. */
export function buildResourceTable(documents: readonly LoadedDocument[], schemas: Record<string, Schema>): Record<string, ResourceEntry> {
  const defByGvk = new Map<string, string>();
  for (const [name, s] of Object.entries(schemas)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${apiVersionOf(g)}/${g.kind}`;
      // meta.v1 types (DeleteOptions, WatchEvent, …) are listed under many GVKs; resource kinds under one.
      if (!defByGvk.has(key)) defByGvk.set(key, name);
    }
  }

  const acc = new Map<string, Accumulator>();
  for (const { file, doc } of documents) {
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      const p = parseResourcePath(path);
      if (!p) continue;
      const key = `${apiVersionOf(p)}/${p.plural}`;
      let a = acc.get(key);
      if (!a) {
        a = { group: p.group, version: p.version, plural: p.plural, namespaced: false, verbs: new Set(), subresources: new Set(), hasMainPath: false, watchable: false };
        acc.set(key, a);
      }
      for (const method of HTTP_METHODS) {
        const op = item[method];
        const action = op?.['x-kubernetes-action'];
        if (!op || action === undefined) continue;
        // /watch/… paths are deprecated: they only tell us the resource can be watched.
        if (p.watchOnly) {
          if (action === 'watch' || action === 'watchlist') a.watchable = true;
          continue;
        }
        if (p.subresource !== undefined) {
          a.subresources.add(p.subresource);
          continue;
        }
        const at = jsonPath(['paths', path, method]);
        if (!Object.hasOwn(VERBS, action)) throw new GenerateError(file, jsonPath(['paths', path, method, 'x-kubernetes-action']), `unknown action ${JSON.stringify(action)}`);
        const verb = VERBS[action];
        if (verb === undefined) continue;
        a.hasMainPath = true;
        a.namespaced ||= p.namespaced;
        a.verbs.add(verb);
        const gvk = op['x-kubernetes-group-version-kind'];
        if (!gvk) throw new GenerateError(file, at, 'operation has no x-kubernetes-group-version-kind');
        if (!a.kind) {
          a.kind = gvk;
          a.kindAt = `${file} ${at}`;
        } else if (a.kind.kind !== gvk.kind || a.kind.group !== gvk.group || a.kind.version !== gvk.version) {
          throw new GenerateError(file, at, `kind ${apiVersionOf(gvk)}/${gvk.kind} differs from ${apiVersionOf(a.kind)}/${a.kind.kind} at ${a.kindAt}`);
        }
        if (action === 'list') a.listSchema ??= listResponseSchema(op);
      }
    }
  }

  const out: Record<string, ResourceEntry> = {};
  for (const key of [...acc.keys()].sort()) {
    const a = acc.get(key)!;
    if (!a.hasMainPath || !a.kind) continue;
    if (a.watchable) a.verbs.add('watch');
    const gvkKey = `${apiVersionOf(a.kind)}/${a.kind.kind}`;
    const schema = defByGvk.get(gvkKey);
    if (!schema) throw new GenerateError(a.kindAt!.split(' ')[0]!, a.kindAt!.split(' ')[1]!, `no definition carries x-kubernetes-group-version-kind ${gvkKey}`);
    out[key] = {
      group: a.group,
      version: a.version,
      kind: a.kind.kind,
      plural: a.plural,
      singular: a.kind.kind.toLowerCase(),
      namespaced: a.namespaced,
      verbs: [...a.verbs].sort(),
      subresources: [...a.subresources].sort(),
      schema,
      ...(a.listSchema ? { listSchema: a.listSchema } : {}),
    };
  }
  return out;
}

/** Orders candidates for one name: version priority, then the core group, then group name. */
export function comparePreference(a: { group: string; version: string }, b: { group: string; version: string }): number {
  const v = compareVersions(a.version, b.version);
  if (v !== 0) return v;
  if ((a.group === '') !== (b.group === '')) return a.group === '' ? -1 : 1;
  return a.group < b.group ? -1 : a.group > b.group ? 1 : 0;
}

/** An alpha version (`v1alpha1`, `v2alpha3`): off unless the cluster enables it by a feature gate. */
export function isAlphaVersion(version: string): boolean {
  return /^v\d+alpha\d*$/.test(version);
}

/**
 * Friendly name (plural) → key of the preferred version, e.g. `deployments` → `apps/v1/deployments`,
 * `horizontalpodautoscalers` → `autoscaling/v2/horizontalpodautoscalers`. On a clash between groups
 * the higher version priority wins, then the core group: `events` is the core `v1/events` (what
 * `kubectl get events` shows); events.k8s.io's stays reachable by its full key. Alpha versions
 * never get a friendly name: a cluster serves them only when a feature gate turns them on, so
 * `kube.evictions` would name lifecycle.k8s.io/v1alpha1, which no default cluster has (and which
 * is not the policy/v1 Eviction a reader expects). They stay reachable by their full key.
 */
export function preferredResources(table: Record<string, ResourceEntry>): Record<string, string> {
  const byPlural = new Map<string, string[]>();
  for (const key of Object.keys(table)) {
    if (isAlphaVersion(table[key]!.version)) continue;
    const plural = table[key]!.plural;
    byPlural.set(plural, [...(byPlural.get(plural) ?? []), key]);
  }
  const out: Record<string, string> = {};
  for (const plural of [...byPlural.keys()].sort()) {
    const keys = byPlural.get(plural)!.sort((x, y) => comparePreference(table[x]!, table[y]!));
    out[plural] = keys[0]!;
  }
  return out;
}
