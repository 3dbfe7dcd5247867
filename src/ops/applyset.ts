/**
 * kubectl's ApplySet (KEP-3659), so `applyManifests({ prune })` and
 * `kubectl apply --prune --applyset=<parent>` manage the same set of objects.
 *
 * The set is a parent object (a Secret by default, or a ConfigMap) labelled
 * `applyset.kubernetes.io/id=applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1`
 * and annotated with the tooling, the group-kinds of its members and the namespaces other than
 * its own they live in. Every member carries `applyset.kubernetes.io/part-of=<id>`. Pruning lists
 * each recorded group-kind in each recorded namespace by that label and deletes what the input
 * no longer has; the parent is widened before the apply (nothing leaks if the run stops
 * half-way) and narrowed to the new set after the prune, as kubectl does.
 *
 * Tooling. The spec lets a tool refuse a set another tool manages, and kubectl refuses every
 * parent whose `applyset.kubernetes.io/tooling` does not start with `kubectl/`. kubefluent
 * implements kubectl's semantics, so by default it writes {@link DEFAULT_APPLYSET_TOOLING}
 * (`kubectl/v1.37.2+kubefluent`: kubectl's name, with kubefluent in the semver build part) and
 * keeps whatever `kubectl/…` value a kubectl-made parent already has. Pass another `tooling`
 * (e.g. `kubefluent/v1`) for a set kubectl must leave alone. kubefluent accepts a parent whose
 * tooling name is `kubectl` or the name of the tooling it was given; any other is an
 * {@link ApplySetError} (`ForeignTooling`), as in kubectl.
 */
import { createHash } from 'node:crypto';
import type { ResourceClient } from '../client/resource-client.js';
import type { KubeObject } from '../client/types.js';
import { brand, DiscoveryError, KubefluentError, NotFoundError, UsageError } from '../core/errors.js';
import type { ResourceInfo } from '../core/resource-info.js';
import type { OpsClient } from './ops-client.js';

/** The label on the parent: the set's id ({@link applySetId}). */
export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
/** The label on each member: the id of the set it belongs to. */
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
/** The parent's annotation naming the tool that manages the set, `<tool>/<version>`. */
export const APPLYSET_TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
/** The parent's annotation listing the members' group-kinds (`ConfigMap,Deployment.apps`). */
export const APPLYSET_GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
/** The parent's annotation listing the members' namespaces other than its own. */
export const APPLYSET_NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';
/** Older kubectl wrote group-resources instead of group-kinds; read, never written. */
const DEPRECATED_GROUP_RESOURCES_ANNOTATION = 'applyset.kubernetes.io/contains-group-resources';

/** What kubefluent writes in `applyset.kubernetes.io/tooling` by default: kubectl accepts it. */
export const DEFAULT_APPLYSET_TOOLING = 'kubectl/v1.37.2+kubefluent';

/** An apply set cannot be used as asked (another tool's parent, a malformed parent, a bad reference). */
export class ApplySetError extends KubefluentError {
  static { brand(this, 'ApplySetError'); }
  constructor(message: string, reason: 'ForeignTooling' | 'InvalidParent' | 'MemberLabelConflict' | 'UnknownKind') {
    super(message, reason);
  }
}

/** The parent object of a set: a Secret (kubectl's default) or a ConfigMap. */
export interface ApplySetParent {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly namespace: string;
}

/**
 * Reads kubectl's `--applyset` syntax: `name` (a Secret), `secrets/name` or `configmaps/name`.
 * Custom-resource parents are not supported.
 */
export function parseApplySetParent(ref: string, namespace: string): ApplySetParent {
  const slash = ref.indexOf('/');
  const type = slash < 0 ? 'secrets' : ref.slice(0, slash);
  const name = slash < 0 ? ref : ref.slice(slash + 1);
  if (name === '') throw new UsageError(`prune.applySet ${JSON.stringify(ref)}: the parent name is empty (use "name", "secrets/name" or "configmaps/name")`);
  if (type === 'secrets' || type === 'secret') return { kind: 'Secret', name, namespace };
  if (type === 'configmaps' || type === 'configmap') return { kind: 'ConfigMap', name, namespace };
  throw new UsageError(`prune.applySet ${JSON.stringify(ref)}: the parent must be a Secret or a ConfigMap ("name", "secrets/name" or "configmaps/name"); custom-resource parents are not supported`);
}

/** kubectl's set id: `applyset-` + base64url(sha256(`<name>.<namespace>.<kind>.<group>`)) + `-v1`. */
export function applySetId(parent: { readonly name: string; readonly namespace: string; readonly kind: string; readonly group?: string }): string {
  const digest = createHash('sha256').update([parent.name, parent.namespace, parent.kind, parent.group ?? ''].join('.')).digest('base64url');
  return `applyset-${digest}-v1`;
}

/** `Kind.group`, or `Kind` for the core group (Go's GroupKind.String()). */
export function groupKindString(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

function parseGroupKind(s: string): { group: string; kind: string } {
  const dot = s.indexOf('.');
  return dot < 0 ? { group: '', kind: s } : { group: s.slice(dot + 1), kind: s.slice(0, dot) };
}

/** The tool name of a tooling value: everything before the last `/` (kubectl's toolingBaseName). */
function toolingName(tooling: string): string {
  const parts = tooling.split('/');
  return parts.length >= 2 ? parts.slice(0, -1).join('/') : tooling;
}

function csv(value: string | undefined): string[] {
  return value ? value.split(',').filter((x) => x !== '') : [];
}

/** A set as read from its parent at the start of a run. */
export interface ApplySetState {
  readonly parent: ApplySetParent;
  readonly id: string;
  /** The tooling value written to the parent. */
  readonly tooling: string;
  /** Group-kinds (`Kind.group`) the parent records. */
  readonly groupKinds: ReadonlySet<string>;
  /** Namespaces the parent records, its own included. */
  readonly namespaces: ReadonlySet<string>;
}

function parentHandle(kube: OpsClient, parent: ApplySetParent): ResourceClient<KubeObject> {
  const h = kube.resource(parent.kind === 'Secret' ? 'v1/secrets' : 'v1/configmaps') as unknown as ResourceClient<KubeObject>;
  return h.namespace(parent.namespace);
}

/** Reads the parent (absent: a new, empty set) and checks it belongs to a tool we may act for. */
export async function readApplySet(kube: OpsClient, parent: ApplySetParent, tooling: string, signal?: AbortSignal): Promise<ApplySetState> {
  const id = applySetId({ ...parent, group: '' });
  const what = `ApplySet parent ${parent.kind} ${parent.namespace}/${parent.name}`;
  const live = await parentHandle(kube, parent).getOrUndefined(parent.name, signal ? { signal } : {});
  if (!live) return { parent, id, tooling, groupKinds: new Set(), namespaces: new Set([parent.namespace]) };
  const annotations = live.metadata?.annotations ?? {};
  const labels = live.metadata?.labels ?? {};
  const liveTooling = annotations[APPLYSET_TOOLING_ANNOTATION];
  if (liveTooling === undefined) {
    throw new ApplySetError(`${what} exists and has no ${APPLYSET_TOOLING_ANNOTATION} annotation: it is not an ApplySet parent; choose another name`, 'InvalidParent');
  }
  const accepted = new Set(['kubectl', toolingName(tooling)]);
  if (!accepted.has(toolingName(liveTooling))) {
    throw new ApplySetError(`${what} is managed by tooling "${liveTooling}"; kubefluent acts only for ${[...accepted].map((t) => `"${t}/…"`).join(' or ')} (pass prune.tooling to match it)`, 'ForeignTooling');
  }
  if (labels[APPLYSET_ID_LABEL] !== id) {
    throw new ApplySetError(`${what} has ${APPLYSET_ID_LABEL}=${labels[APPLYSET_ID_LABEL] ?? '(none)'}, expected ${id}`, 'InvalidParent');
  }
  let groupKinds: string[];
  if (annotations[APPLYSET_GROUP_KINDS_ANNOTATION] !== undefined) {
    groupKinds = csv(annotations[APPLYSET_GROUP_KINDS_ANNOTATION]);
  } else if (annotations[DEPRECATED_GROUP_RESOURCES_ANNOTATION] !== undefined) {
    groupKinds = [];
    for (const gr of csv(annotations[DEPRECATED_GROUP_RESOURCES_ANNOTATION])) {
      const dot = gr.indexOf('.');
      const info = await findKind(kube, dot < 0 ? { group: '', plural: gr } : { group: gr.slice(dot + 1), plural: gr.slice(0, dot) }, signal);
      if (info) groupKinds.push(groupKindString(info.group, info.kind));
    }
  } else {
    throw new ApplySetError(`${what} has no ${APPLYSET_GROUP_KINDS_ANNOTATION} annotation (kubectl requires it too)`, 'InvalidParent');
  }
  return {
    parent,
    id,
    // Keep the tooling a kubectl-made parent has, so kubectl sees its own value unchanged.
    tooling: toolingName(liveTooling) === toolingName(tooling) ? liveTooling : tooling,
    groupKinds: new Set(groupKinds),
    namespaces: new Set([parent.namespace, ...csv(annotations[APPLYSET_NAMESPACES_ANNOTATION])]),
  };
}

async function findKind(kube: OpsClient, query: { group: string; kind?: string; plural?: string }, signal?: AbortSignal): Promise<ResourceInfo | undefined> {
  try {
    return await kube.discovery.find(query, signal);
  } catch (err) {
    if (err instanceof DiscoveryError) return undefined; // the type is gone (its CRD deleted): nothing left to prune
    throw err;
  }
}

/**
 * Server-side applies the parent's label and annotations, all three every time (as kubectl
 * does), under the field manager `<tool>-applyset`, forcing conflicts: the set's record has
 * one owner, whichever tool ran last.
 */
export async function writeApplySet(kube: OpsClient, state: ApplySetState, groupKinds: Iterable<string>, namespaces: Iterable<string>, signal?: AbortSignal): Promise<void> {
  const { parent } = state;
  await parentHandle(kube, parent).apply(
    {
      apiVersion: 'v1',
      kind: parent.kind,
      metadata: {
        name: parent.name,
        namespace: parent.namespace,
        labels: { [APPLYSET_ID_LABEL]: state.id },
        annotations: {
          [APPLYSET_TOOLING_ANNOTATION]: state.tooling,
          [APPLYSET_GROUP_KINDS_ANNOTATION]: [...new Set(groupKinds)].sort().join(','),
          [APPLYSET_NAMESPACES_ANNOTATION]: [...new Set(namespaces)].filter((n) => n !== parent.namespace).sort().join(','),
        },
      },
    },
    { fieldManager: `${toolingName(state.tooling)}-applyset`, force: true, ...(signal ? { signal } : {}) },
  );
}

/** An object the prune deleted. */
export interface PrunedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

/**
 * Deletes members of the set (by `part-of` label, in every recorded group-kind and namespace)
 * whose `Kind.group/namespace/name` is not in `keep`.
 */
export async function pruneApplySet(
  kube: OpsClient,
  state: ApplySetState,
  groupKinds: Iterable<string>,
  namespaces: Iterable<string>,
  keep: ReadonlySet<string>,
  onPruned: (o: PrunedObject) => void,
  signal?: AbortSignal,
): Promise<void> {
  const call = signal ? { signal } : {};
  const nsList = [...new Set(namespaces)].sort();
  for (const gk of [...new Set(groupKinds)].sort()) {
    const info = await findKind(kube, parseGroupKind(gk), signal);
    if (!info) continue;
    const handle = kube.resource({ group: info.group, version: info.version, plural: info.plural, kind: info.kind, namespaced: info.namespaced }) as unknown as ResourceClient<KubeObject>;
    for (const ns of info.namespaced ? nsList : [undefined]) {
      const client = info.namespaced ? handle.namespace(ns) : handle;
      let items: KubeObject[];
      try {
        items = (await client.list({ labelSelector: `${APPLYSET_PART_OF_LABEL}=${state.id}`, ...call })).items;
      } catch (err) {
        if (err instanceof NotFoundError) continue;
        throw err;
      }
      for (const item of items) {
        const name = item.metadata?.name ?? '';
        if (keep.has(memberKey(info.group, info.kind, ns, name))) continue;
        try {
          await client.delete(name, call);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err; // deleted meanwhile: the goal is reached
        }
        onPruned({ apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.kind, name, namespace: ns });
      }
    }
  }
}

/** The identity prune compares by. */
export function memberKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${groupKindString(group, kind)}/${namespace ?? ''}/${name}`;
}

/** The label kubefluent 0.1 marked members with, before it used ApplySets. */
export const LEGACY_APPLY_SET_LABEL = 'applyset.kubefluent.dev/name';

/**
 * Finishes a set kubefluent 0.1 recorded (a ConfigMap `kubefluent-applyset-<name>` in
 * `recordNamespace`, members labelled {@link LEGACY_APPLY_SET_LABEL}): prunes its members that
 * are not in `keep`, then deletes the record. Members still in the input were just re-applied
 * with the ApplySet label, so the set carries on under kubectl's scheme. No record: nothing to do.
 */
export async function pruneLegacyApplySet(
  kube: OpsClient,
  name: string,
  recordNamespace: string,
  keep: ReadonlySet<string>,
  onPruned: (o: PrunedObject) => void,
  signal?: AbortSignal,
): Promise<void> {
  const call = signal ? { signal } : {};
  const records = kube.configmaps.namespace(recordNamespace);
  const recordName = `kubefluent-applyset-${name}`;
  const record = await records.getOrUndefined(recordName, call);
  if (!record?.data?.record) return;
  const before = JSON.parse(record.data.record) as { resources?: string[]; namespaces?: string[] };
  for (const key of before.resources ?? []) {
    // `group/version/plural/namespaced/kind`, as 0.1 wrote it.
    const [group, version, plural, namespaced, kind] = key.split('/') as [string, string, string, string, string];
    const handle = kube.resource({ group, version, plural, kind, namespaced: namespaced === 'true' }) as unknown as ResourceClient<KubeObject>;
    for (const ns of namespaced === 'true' ? (before.namespaces ?? []) : [undefined]) {
      const client = ns === undefined ? handle : handle.namespace(ns);
      let items: KubeObject[];
      try {
        items = (await client.list({ labelSelector: `${LEGACY_APPLY_SET_LABEL}=${name}`, ...call })).items;
      } catch (err) {
        if (err instanceof NotFoundError) continue;
        throw err;
      }
      for (const item of items) {
        const itemName = item.metadata?.name ?? '';
        if (keep.has(memberKey(group, kind, ns, itemName))) continue;
        try {
          await client.delete(itemName, call);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
        onPruned({ apiVersion: group ? `${group}/${version}` : version, kind, name: itemName, namespace: ns });
      }
    }
  }
  await records.delete(recordName, call);
}
