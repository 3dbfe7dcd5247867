/**
 * Multi-document manifests, applied the way a careful person would: every document parsed
 * and validated before anything is sent, then a server-side dry run of the whole set, then
 * server-side apply in dependency order (Namespaces and CRDs first, waiting until each CRD
 * is Established). Bad input applies nothing and reports every problem with its document
 * index and path.
 */
import { resourceKeysByKind, resources } from '../../generated/resources.js';
import type { OpsClient } from './ops-client.js';
import type { ResourceClient } from '../client/resource-client.js';
import type { KubeObject } from '../client/types.js';
import { DiscoveryError, KubeError, NotFoundError } from '../core/errors.js';
import { removedApi, removedApiMessage } from '../core/removed-apis.js';
import type { ResourceInfo } from '../core/resource-info.js';
import { validateAsync } from '../core/validation.js';
import {
  APPLYSET_PART_OF_LABEL, ApplySetError, DEFAULT_APPLYSET_TOOLING, groupKindString, LEGACY_APPLY_SET_LABEL, memberKey,
  parseApplySetParent, pruneApplySet, pruneLegacyApplySet, readApplySet, writeApplySet, type ApplySetState,
} from './applyset.js';
import { isRecord, ManifestError, parseManifests, subjectOf, type ManifestDocument, type ManifestProblem } from './manifest-parse.js';

export { ManifestError, parseManifests, type ManifestDocument, type ManifestProblem } from './manifest-parse.js';

/** What happened to one object. */
export interface ManifestResult {
  readonly index: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** applied; pruned (deleted: no longer in the set); deleted; absent (already gone); skipped (dry run: depends on an object the run would create). */
  readonly action: 'applied' | 'pruned' | 'deleted' | 'absent' | 'skipped';
  /** The object as the server returned it (applied), absent otherwise. */
  readonly object?: KubeObject;
  readonly note?: string;
  /** Something kubefluent changed, as kubectl does (a namespace dropped from a cluster-scoped object). */
  readonly warning?: string;
}

/** Options of `applyManifests`. */
export interface ApplyManifestsOptions {
  /** Server-side apply records ownership per manager: name yours. */
  readonly fieldManager: string;
  /** Take over fields other managers own instead of failing with a ConflictError. */
  readonly force?: boolean;
  /** Validate and admit on the server without persisting anything. */
  readonly dryRun?: boolean;
  /** Namespace for namespaced objects that name none (default: the client's namespace). */
  readonly namespace?: string;
  /**
   * Delete objects applied earlier under the same apply set that are no longer in the input.
   * The set is a kubectl ApplySet (KEP-3659): `kubectl apply --prune --applyset=<applySet> -n <namespace>`
   * manages the same set. See {@link ApplySetPruneOptions} and src/ops/applyset.ts.
   */
  readonly prune?: ApplySetPruneOptions;
  /** How long to wait for a CRD to be Established; default 60 s. */
  readonly crdTimeoutMs?: number;
  /** Called after each object is applied or pruned. */
  readonly onResult?: (r: ManifestResult) => void;
  readonly signal?: AbortSignal;
}

/** Which ApplySet `applyManifests` prunes. */
export interface ApplySetPruneOptions {
  /** The parent, in kubectl's `--applyset` syntax: `name` (a Secret), `secrets/name` or `configmaps/name`. */
  readonly applySet: string;
  /** The parent's namespace (kubectl's `-n`); default: the `namespace` option, then the client's namespace. */
  readonly namespace?: string;
  /**
   * `applyset.kubernetes.io/tooling` for a new parent; default {@link DEFAULT_APPLYSET_TOOLING}
   * (`kubectl/…`, which kubectl accepts). A parent of another tool is refused with an ApplySetError.
   */
  readonly tooling?: string;
}

/** Options of `deleteManifests`. */
export interface DeleteManifestsOptions {
  readonly namespace?: string;
  readonly dryRun?: boolean;
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Wait until each object is gone (watch-based); default false. */
  readonly wait?: boolean;
  readonly timeoutMs?: number;
  /** Called with each document's result as it is deleted. */
  readonly onResult?: (r: ManifestResult) => void;
  readonly signal?: AbortSignal;
}

/**
 * @deprecated The label kubefluent 0.1 marked pruned sets with. Members now carry kubectl's
 * `applyset.kubernetes.io/part-of` ({@link APPLYSET_PART_OF_LABEL}); a 0.1 set is pruned and
 * migrated on its next `applyManifests({ prune })`.
 */
export const APPLY_SET_LABEL = LEGACY_APPLY_SET_LABEL;

// Install order, as kubectl and Helm use it: what others depend on comes first.
const KIND_ORDER = [
  'Namespace', 'CustomResourceDefinition', 'PriorityClass', 'NetworkPolicy', 'ResourceQuota', 'LimitRange',
  'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'ConfigMap', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'DaemonSet',
  'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job',
  'CronJob', 'IngressClass', 'Ingress', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

interface Resolved {
  readonly doc: ManifestDocument;
  readonly info: ResourceInfo;
  readonly name: string;
  readonly namespace: string | undefined;
  /** Defined by a CRD in the same input: cannot be checked against the server until it is installed. */
  readonly pendingCrd: boolean;
  /** Something changed on the way (a namespace dropped from a cluster-scoped object). */
  readonly warning?: string;
  /** Client-side problems the server may not have (a "required" field it defaults): final only when no dry run can check the object. */
  readonly unconfirmed?: readonly ManifestProblem[];
}

/**
 * A copy for client-side validation without null values: the API server reads a null field as
 * unset (kubectl's null-propagation manifests rely on it), the generated schemas do not.
 */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(withoutNulls);
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
}

/**
 * Why the server has no resource for apiVersion/kind, from what it serves: the group not at
 * all, the group at other versions (an alpha/beta version this cluster does not serve), or the
 * version without that kind.
 */
async function notServed(kube: OpsClient, apiVersion: string, kind: string, signal?: AbortSignal): Promise<string> {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const versions = await kube.discovery.servedVersions(group, signal);
  if (versions === undefined) return `this cluster does not serve the API group "${group}": is its CustomResourceDefinition installed, or is apiVersion misspelt?`;
  if (!versions.includes(version)) {
    return `this cluster does not serve ${apiVersion}${/(alpha|beta)\d*$/.test(version) ? ' (an alpha/beta version: not enabled, or no longer served)' : ''}; it serves ${group || 'the core group'} at ${versions.join(', ')}`;
  }
  return `${apiVersion} has no kind ${JSON.stringify(kind)} on this cluster: is its CustomResourceDefinition installed, or is kind misspelt?`;
}

function crdKinds(docs: readonly ManifestDocument[]): Map<string, ResourceInfo> {
  const out = new Map<string, ResourceInfo>();
  for (const { object } of docs) {
    if (object.kind !== 'CustomResourceDefinition' || !isRecord(object.spec)) continue;
    const spec = object.spec as { group?: string; scope?: string; names?: { kind?: string; plural?: string; singular?: string }; versions?: { name?: string }[] };
    for (const v of spec.versions ?? []) {
      if (!spec.group || !v.name || !spec.names?.kind || !spec.names.plural) continue;
      out.set(`${spec.group}/${v.name}/${spec.names.kind}`, {
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        namespaced: spec.scope !== 'Cluster',
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
        subresources: [],
      });
    }
  }
  return out;
}

/** Validates every document and finds its resource; throws one ManifestError listing every problem. */
async function resolveAll(kube: OpsClient, docs: readonly ManifestDocument[], defaultNs: string, signal?: AbortSignal): Promise<Resolved[]> {
  const problems: ManifestProblem[] = [];
  const pending = crdKinds(docs);
  const out: Resolved[] = [];
  const seen = new Map<string, number>();
  for (const doc of docs) {
    const o = doc.object;
    const subject = subjectOf(o);
    const unconfirmed: ManifestProblem[] = [];
    const report = (path: string, message: string) => problems.push({ index: doc.index, subject, path, message });
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '') {
      report('apiVersion', 'missing: every document needs apiVersion (e.g. "apps/v1")');
      continue;
    }
    if (typeof o.kind !== 'string' || o.kind === '') {
      report('kind', 'missing: every document needs kind (e.g. "Deployment")');
      continue;
    }
    const name = o.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      report('metadata.name', 'missing: server-side apply needs a name (generateName is not supported by apply)');
      continue;
    }
    const gvk = `${o.apiVersion}/${o.kind}`;
    const key = (resourceKeysByKind as Record<string, string>)[gvk];
    let info: ResourceInfo | undefined = key ? (resources as Record<string, ResourceInfo>)[key] : undefined;
    let pendingCrd = false;
    if (info) {
      const r = await validateAsync(withoutNulls(o), { mode: 'strict' });
      for (const issue of r.issues) {
        // The server may default a field its OpenAPI marks required (CSIDriver.spec): the dry run decides.
        if (issue.message.startsWith('required field is missing')) unconfirmed.push({ index: doc.index, subject, path: issue.path, message: issue.message });
        else report(issue.path, issue.message);
      }
    } else if (pending.has(gvk)) {
      info = pending.get(gvk)!;
      pendingCrd = true;
    } else {
      const r = await validateAsync(withoutNulls(o), { mode: 'strict' });
      // A removed API is still applied where the cluster serves it (an older cluster); else it is named as removed.
      const removed = removedApi(o.apiVersion, o.kind);
      if (r.checked && !r.ok && !removed) {
        for (const issue of r.issues) report(issue.path, issue.message);
        continue;
      }
      try {
        info = await kube.discovery.find({ apiVersion: o.apiVersion, kind: o.kind }, signal);
      } catch (err) {
        if (!(err instanceof DiscoveryError)) throw err;
        if (removed) report('apiVersion', `${removedApiMessage(o.apiVersion, o.kind, removed)}; this cluster does not serve it either`);
        else report('apiVersion', await notServed(kube, o.apiVersion, o.kind, signal));
        continue;
      }
    }
    let namespace: string | undefined;
    let warning: string | undefined;
    if (info.namespaced) {
      namespace = o.metadata?.namespace ?? defaultNs;
    } else if (o.metadata?.namespace) {
      // kubectl applies it and the API server ignores the namespace; say so instead of refusing.
      warning = `${o.kind} is cluster-scoped: metadata.namespace "${o.metadata.namespace}" was dropped (remove it from the manifest)`;
    }
    const id = `${info.group}/${info.kind}/${namespace ?? ''}/${name}`;
    const dup = seen.get(id);
    if (dup !== undefined) {
      report('metadata.name', `the same object is also document ${dup}: each object may appear once`);
      continue;
    }
    seen.set(id, doc.index);
    out.push({ doc, info, name, namespace, pendingCrd, ...(warning ? { warning } : {}), ...(unconfirmed.length ? { unconfirmed } : {}) });
  }
  if (problems.length) throw new ManifestError(problems);
  return out;
}

function clientFor(kube: OpsClient, info: ResourceInfo, namespace: string | undefined): ResourceClient<KubeObject> {
  const handle = kube.resource({
    group: info.group,
    version: info.version,
    plural: info.plural,
    kind: info.kind,
    namespaced: info.namespaced,
    singular: info.singular,
    verbs: info.verbs,
    subresources: info.subresources,
  }) as unknown as ResourceClient<KubeObject>;
  return info.namespaced ? handle.namespace(namespace) : handle;
}

function withNamespace(r: Resolved, extraLabels?: Record<string, string>): KubeObject {
  const o = r.doc.object;
  const { namespace: _dropped, ...rest } = o.metadata ?? {};
  const metadata = { ...(r.info.namespaced ? o.metadata : rest), ...(r.namespace ? { namespace: r.namespace } : {}) };
  if (extraLabels) metadata.labels = { ...metadata.labels, ...extraLabels };
  return { ...o, metadata };
}

function order(list: readonly Resolved[]): Resolved[] {
  return [...list].sort((a, b) => kindRank(a.info.kind) - kindRank(b.info.kind) || a.doc.index - b.doc.index);
}

function resultOf(r: Resolved, action: ManifestResult['action'], object?: KubeObject, note?: string): ManifestResult {
  return {
    index: r.doc.index,
    apiVersion: r.doc.object.apiVersion!,
    kind: r.info.kind,
    name: r.name,
    namespace: r.namespace,
    action,
    ...(object ? { object } : {}),
    ...(note ? { note } : {}),
    ...(r.warning ? { warning: r.warning } : {}),
  };
}

/**
 * Applies multi-document YAML/JSON or objects with server-side apply, in dependency order.
 *
 * @example await applyManifests(kube, fs.readFileSync('app.yaml', 'utf8'), { fieldManager: 'deployer' })
 */
export async function applyManifests(kube: OpsClient, input: string | readonly unknown[], options: ApplyManifestsOptions): Promise<ManifestResult[]> {
  const signal = options.signal;
  const docs = parseManifests(input);
  const resolved = order(await resolveAll(kube, docs, options.namespace ?? kube.defaultNamespace, signal));
  const defaultNs = options.namespace ?? kube.defaultNamespace;
  let set: ApplySetState | undefined;
  if (options.prune) {
    const parent = parseApplySetParent(options.prune.applySet, options.prune.namespace ?? defaultNs);
    set = await readApplySet(kube, parent, options.prune.tooling ?? DEFAULT_APPLYSET_TOOLING, signal);
    for (const r of resolved) {
      const own = r.doc.object.metadata?.labels?.[APPLYSET_PART_OF_LABEL];
      if (own !== undefined && own !== set.id) {
        throw new ApplySetError(`document ${r.doc.index} (${r.info.kind} ${r.name}) has ${APPLYSET_PART_OF_LABEL}=${own}, but it is applied to the set ${set.id}: remove the label`, 'MemberLabelConflict');
      }
    }
  }
  const labels = set ? { [APPLYSET_PART_OF_LABEL]: set.id } : undefined;
  const newNamespaces = new Set(resolved.filter((r) => r.info.kind === 'Namespace' && r.info.group === '').map((r) => r.name));
  const existingNs = new Set<string>();
  if (newNamespaces.size) {
    for (const ns of newNamespaces) {
      if (await kube.namespaces.getOrUndefined(ns, signal ? { signal } : {})) existingNs.add(ns);
    }
  }
  // An object that needs a namespace or a CRD this run creates cannot be dry-run before it exists.
  const dependsOnNew = (r: Resolved): string | undefined => {
    if (r.pendingCrd) return `its CustomResourceDefinition is created by this input`;
    if (r.namespace && newNamespaces.has(r.namespace) && !existingNs.has(r.namespace)) return `namespace "${r.namespace}" is created by this input`;
    return undefined;
  };
  const applyOpts = (dryRun: boolean) => ({
    fieldManager: options.fieldManager,
    ...(options.force ? { force: true } : {}),
    ...(dryRun ? { dryRun: true } : {}),
    ...(signal ? { signal } : {}),
    validate: false, // validated above, all at once
  });

  // 1. Preflight: the server checks every object (admission, immutable fields, conflicts) before any is written.
  const problems: ManifestProblem[] = [];
  await Promise.all(
    resolved.map(async (r) => {
      if (dependsOnNew(r)) {
        problems.push(...(r.unconfirmed ?? [])); // no dry run can overrule the client-side check
        return;
      }
      try {
        await clientFor(kube, r.info, r.namespace).apply(withNamespace(r, labels), applyOpts(true));
      } catch (err) {
        if (!(err instanceof KubeError)) throw err;
        if (err instanceof NotFoundError && err.status.details?.kind === undefined) {
          // 404 for the resource type itself (not for a namespace): a version in our spec this cluster does not serve.
          problems.push({ index: r.doc.index, subject: subjectOf(r.doc.object), path: 'apiVersion', message: await notServed(kube, r.doc.object.apiVersion!, r.info.kind, signal) });
          return;
        }
        const causes = err.status.details?.causes ?? [];
        if (causes.length) for (const c of causes) problems.push({ index: r.doc.index, subject: subjectOf(r.doc.object), path: c.field ?? '', message: `${c.message ?? c.reason ?? ''} (${err.reason})` });
        else problems.push({ index: r.doc.index, subject: subjectOf(r.doc.object), path: '', message: `${err.status.message ?? err.message} (${err.reason})` });
      }
    }),
  );
  if (problems.length) throw new ManifestError(problems, 'the server rejected the manifests in a dry run; nothing was applied');

  const results: ManifestResult[] = [];
  const emit = (r: ManifestResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  if (options.dryRun) {
    for (const r of resolved) {
      const why = dependsOnNew(r);
      emit(why ? resultOf(r, 'skipped', undefined, `not checked by the dry run: ${why}`) : resultOf(r, 'applied', undefined, 'dry run'));
    }
    return results;
  }

  // 2. Widen the set's record to old ∪ new before writing members, so a run that stops half-way leaks nothing.
  const groupKinds = new Set(resolved.map((r) => groupKindString(r.info.group, r.info.kind)));
  const namespaces = new Set(resolved.flatMap((r) => (r.info.namespaced && r.namespace ? [r.namespace] : [])));
  if (set) await writeApplySet(kube, set, [...set.groupKinds, ...groupKinds], [...set.namespaces, ...namespaces], signal);

  // 3. Apply in order; wait for CRDs before the custom resources that need them.
  for (const r of resolved) {
    signal?.throwIfAborted();
    const applied = await clientFor(kube, r.info, r.namespace).apply(withNamespace(r, labels), applyOpts(false));
    emit(resultOf(r, 'applied', applied));
    if (r.info.kind === 'CustomResourceDefinition' && r.info.group === 'apiextensions.k8s.io') {
      await kube.customresourcedefinitions.waitFor(r.name, establishedCondition, {
        timeoutMs: options.crdTimeoutMs ?? 60_000,
        ...(signal ? { signal } : {}),
      });
    }
  }
  // 4. Prune what left the set, then narrow the record to the new set.
  if (set) {
    const keep = new Set(resolved.map((r) => memberKey(r.info.group, r.info.kind, r.namespace, r.name)));
    const pruned = (o: { apiVersion: string; kind: string; name: string; namespace: string | undefined }) => emit({ index: -1, ...o, action: 'pruned' });
    await pruneApplySet(kube, set, [...set.groupKinds, ...groupKinds], [...set.namespaces, ...namespaces], keep, pruned, signal);
    // A 0.1 set had a plain name and its record in prune.namespace (default "default").
    if (!options.prune!.applySet.includes('/')) await pruneLegacyApplySet(kube, options.prune!.applySet, options.prune!.namespace ?? 'default', keep, pruned, signal);
    await writeApplySet(kube, set, groupKinds, namespaces, signal);
  }
  return results;
}

const establishedCondition = {
  description: 'the CustomResourceDefinition to be Established',
  test: (o: { status?: { conditions?: readonly { type: string; status: string }[] } } | undefined) =>
    o?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true,
};

/** Deletes what the manifests describe, in reverse dependency order; objects already gone are reported `absent`. */
export async function deleteManifests(kube: OpsClient, input: string | readonly unknown[], options: DeleteManifestsOptions = {}): Promise<ManifestResult[]> {
  const signal = options.signal;
  const docs = parseManifests(input);
  const resolved = order(await resolveAll(kube, docs, options.namespace ?? kube.defaultNamespace, signal)).reverse();
  const results: ManifestResult[] = [];
  for (const r of resolved) {
    const client = clientFor(kube, r.info, r.namespace);
    let action: ManifestResult['action'] = 'deleted';
    try {
      await client.delete(r.name, {
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
        ...(signal ? { signal } : {}),
      });
      if (options.wait && !options.dryRun) {
        await client.waitFor(r.name, { description: 'the object to be deleted', test: (o) => o === undefined }, {
          timeoutMs: options.timeoutMs ?? 120_000,
          ...(signal ? { signal } : {}),
        });
      }
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      action = 'absent';
    }
    const res = resultOf(r, action);
    results.push(res);
    options.onResult?.(res);
  }
  return results;
}
