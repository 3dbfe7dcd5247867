/**
 * Pod presets on the client side, with the semantics of the PodPreset admission plugin
 * (settings.k8s.io/v1alpha1, removed from Kubernetes in 1.20):
 *
 * - a preset selects pods by label selector (an empty selector selects every pod) and, when it
 *   has a namespace, only objects in that namespace (or with none set);
 * - it injects `env`, `envFrom` and `volumeMounts` into every container and init container
 *   (sidecars included), and `volumes` into the pod;
 * - the same env name, volume name, mount name or mount path with a different value is a
 *   conflict: a `PresetConflict` error listing every conflict, and nothing is applied (the
 *   plugin admitted the pod untouched and logged; here the caller must decide);
 * - each applied preset is recorded as the annotation
 *   `podpreset.admission.kubernetes.io/podpreset-<name>: <version>`, where the version is the
 *   preset's `resourceVersion` if given, else a stable content hash of its spec (16 hex digits of
 *   FNV-1a 64 over the sorted-key JSON);
 * - a pod annotated `podpreset.admission.kubernetes.io/exclude: "true"` (or a mirror pod) is left alone.
 *
 * Presets apply to bare Pods and to the pod templates of workloads (Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, Job, CronJob, PodTemplate), matched against the template's labels.
 * One deliberate difference: an `envFrom` entry the container already has is not added again,
 * so applying a preset twice changes nothing.
 */
import type {
  CronJob,
  DaemonSet,
  Deployment,
  EnvFromSource,
  EnvVar,
  Job,
  LabelSelector,
  ObjectMeta,
  Pod,
  PodSpec,
  PodTemplate,
  ReplicaSet,
  StatefulSet,
  VolumeMount,
} from '../../generated/models.js';
import { envName, type EnvValue } from './env.js';
import { BuilderError } from './errors.js';
import { onlyKeys } from './keys.js';
import { checkSelector, selectorMatches } from './label-selector.js';
import { dnsSubdomain } from './names.js';
import { contentHash, deepEqual, deepFreeze } from './objects.js';
import { validateBuilt, validatePart } from './validate.js';
import type { Volume } from './volume.js';

/** The annotation prefix the admission plugin used. */
export const PODPRESET_ANNOTATION_PREFIX = 'podpreset.admission.kubernetes.io';
/** Set to "true" on a pod (template) to opt out of every preset. */
export const PODPRESET_EXCLUDE_ANNOTATION = `${PODPRESET_ANNOTATION_PREFIX}/exclude`;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** What a preset injects; the shape of settings.k8s.io/v1alpha1 PodPresetSpec. */
export interface PodPresetSpec {
  readonly selector: LabelSelector;
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly EnvFromSource[];
  readonly volumes?: readonly Volume[];
  readonly volumeMounts?: readonly VolumeMount[];
}

/** What {@link podPreset} takes: the preset spec plus where it applies. */
export interface PodPresetOptions extends Omit<PodPresetSpec, 'env'> {
  /** `EnvVar[]`, or `{ NAME: 'value' | EnvValue }`. */
  readonly env?: readonly EnvVar[] | Readonly<Record<string, string | EnvValue>>;
  /** Only objects in this namespace (or with no namespace set) are selected. */
  readonly namespace?: string;
  /** Recorded in the annotation; when unset, a content hash is. */
  readonly resourceVersion?: string;
}

/** A settings.k8s.io/v1alpha1 PodPreset object, as old manifests have them. */
export interface PodPresetObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta & { name: string };
  readonly spec: PodPresetSpec;
}

/** Objects presets apply to. */
export type PresetTarget = Pod | Deployment | StatefulSet | DaemonSet | ReplicaSet | Job | CronJob | PodTemplate;

/** An immutable pod preset. */
export class PodPreset {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly spec: PodPresetSpec;
  /** The annotation value: `resourceVersion` if given, else a content hash. */
  readonly version: string;

  /** @internal use {@link podPreset}. */
  constructor(name: string, spec: PodPresetSpec, namespace: string | undefined, resourceVersion: string | undefined) {
    this.name = dnsSubdomain('preset name', name);
    this.namespace = namespace;
    this.spec = deepFreeze(checkSpec(name, structuredClone(spec)));
    this.version = resourceVersion ?? contentHash(this.spec);
    Object.freeze(this);
  }

  /** Reads a settings.k8s.io/v1alpha1 PodPreset object. */
  static fromObject(obj: PodPresetObject): PodPreset {
    if (obj.kind !== undefined && obj.kind !== 'PodPreset') throw new BuilderError('InvalidArgument', `expected kind PodPreset, got ${obj.kind}`, 'kind');
    return new PodPreset(obj.metadata.name, obj.spec, obj.metadata.namespace, obj.metadata.resourceVersion);
  }

  /** `podpreset.admission.kubernetes.io/podpreset-<name>`. */
  get annotationKey(): string {
    return `${PODPRESET_ANNOTATION_PREFIX}/podpreset-${this.name}`;
  }

  /** True when this preset selects pods with these labels in this namespace. */
  matches(labels: Readonly<Record<string, string>> | undefined, namespace?: string): boolean {
    if (this.namespace !== undefined && namespace !== undefined && namespace !== this.namespace) return false;
    return selectorMatches(this.spec.selector, labels);
  }

  /** A copy of `obj` (or of what a builder builds) with this preset applied if it selects it; the input is never changed. */
  applyTo<T extends PresetTarget>(obj: T | { build(): T }): T {
    return applyPresets(obj, [this]);
  }

  /** As a settings.k8s.io/v1alpha1 object (for the record; no current server serves it). */
  toObject(): PodPresetObject {
    const metadata: ObjectMeta & { name: string } = { name: this.name };
    if (this.namespace !== undefined) metadata.namespace = this.namespace;
    return { apiVersion: 'settings.k8s.io/v1alpha1', kind: 'PodPreset', metadata, spec: structuredClone(this.spec) as PodPresetSpec };
  }
}

/**
 * Makes a pod preset.
 * @example podPreset('inject-config', { selector: { matchLabels: { app: 'web' } }, envFrom: [EnvFrom.configMap('cfg')] })
 */
export function podPreset(name: string, options: PodPresetOptions): PodPreset {
  onlyKeys(`preset '${name}' options`, options, ['selector', 'env', 'envFrom', 'volumes', 'volumeMounts', 'namespace', 'resourceVersion']);
  const { namespace, resourceVersion, env, ...rest } = options;
  const envVars: EnvVar[] | undefined =
    env === undefined ? undefined
    : Array.isArray(env) ? (env as readonly EnvVar[]).map((e) => ({ ...e }))
    : Object.entries(env as Readonly<Record<string, string | EnvValue>>).map(([n, v]) => (typeof v === 'string' ? { name: n, value: v } : { name: n, ...v }));
  const spec: PodPresetSpec = envVars === undefined ? rest : { ...rest, env: envVars };
  return new PodPreset(name, spec, namespace, resourceVersion);
}

function checkSpec(name: string, spec: PodPresetSpec): PodPresetSpec {
  const what = `preset '${name}'`;
  checkSelector(what, spec.selector);
  const seen = new Set<string>();
  for (const e of spec.env ?? []) {
    envName(e.name);
    validatePart('io.k8s.api.core.v1.EnvVar', e, `${what} env ${e.name}`);
    if (seen.has(e.name)) throw new BuilderError('DuplicateEnv', `${what} sets env ${e.name} twice`, 'spec.env');
    seen.add(e.name);
  }
  for (const e of spec.envFrom ?? []) validatePart('io.k8s.api.core.v1.EnvFromSource', e, `${what} envFrom`);
  const volumes = new Set<string>();
  for (const v of spec.volumes ?? []) {
    validatePart('io.k8s.api.core.v1.Volume', v, `${what} volume ${v.name}`);
    if (volumes.has(v.name)) throw new BuilderError('DuplicateVolume', `${what} defines volume '${v.name}' twice: give one of them another name`, 'spec.volumes');
    volumes.add(v.name);
  }
  const paths = new Set<string>();
  for (const m of spec.volumeMounts ?? []) {
    validatePart('io.k8s.api.core.v1.VolumeMount', m, `${what} volumeMount ${m.name}`);
    if (!m.mountPath.startsWith('/')) throw new BuilderError('InvalidArgument', `${what}: mount path ${JSON.stringify(m.mountPath)} must be absolute`, 'spec.volumeMounts');
    if (paths.has(m.mountPath)) throw new BuilderError('DuplicateMountPath', `${what} mounts two volumes at ${m.mountPath}`, 'spec.volumeMounts');
    paths.add(m.mountPath);
  }
  return spec;
}

/** The object that holds the pod's (or template's) metadata and spec. */
interface PodHolder {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

// Where the pod (template) lives in each kind; the holder belongs to the copy being changed.
function podHolder(obj: PresetTarget): PodHolder | undefined {
  switch (obj.kind) {
    case 'Pod':
      return obj as Pod;
    case 'PodTemplate':
      return (obj as PodTemplate).template;
    case 'CronJob':
      return (obj as CronJob).spec?.jobTemplate.spec?.template;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return (obj as Deployment).spec?.template;
  }
  throw new BuilderError('InvalidArgument', `presets apply to Pods and to workloads with a pod template, not to ${obj.kind ?? 'an object without a kind'}`, 'kind');
}

/**
 * Applies every preset that selects `obj` (a Pod or a workload's pod template, or a builder of
 * one), in order.
 * Returns a new object; the input is never changed. On any conflict it throws a
 * `PresetConflict` BuilderError naming each one, and nothing is applied.
 * @example const withConfig = applyPresets(deployment.build(), [injectConfig, injectSecrets]);
 */
export function applyPresets<T extends PresetTarget>(obj: T | { build(): T }, presets: readonly PodPreset[]): T {
  const out = 'build' in obj && typeof obj.build === 'function' ? obj.build() : structuredClone(obj as T);
  const holder = podHolder(out);
  const spec = holder?.spec;
  const annotations = holder?.metadata?.annotations ?? {};
  if (annotations[PODPRESET_EXCLUDE_ANNOTATION] === 'true' || MIRROR_POD_ANNOTATION in annotations) return out;
  const namespace = out.metadata?.namespace ?? undefined;
  const matching = presets.filter((p) => p.matches(holder?.metadata?.labels, namespace));
  if (matching.length === 0 || holder === undefined || spec === undefined) return out;

  const conflicts: string[] = [];
  const volumes = mergeByName(spec.volumes ?? [], matching, (p) => p.spec.volumes, 'volume', conflicts, 'pod');
  const volumeNames = new Set(volumes.map((v) => v.name));
  for (const p of matching) {
    for (const m of p.spec.volumeMounts ?? []) {
      if (!volumeNames.has(m.name)) conflicts.push(`preset '${p.name}' mounts volume '${m.name}', which neither the pod nor the presets define`);
    }
  }
  setList(spec, 'volumes', volumes);
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const where = `container '${c.name}'`;
    setList(c, 'env', mergeByName(c.env ?? [], matching, (p) => p.spec.env, 'env', conflicts, where));
    setList(c, 'volumeMounts', mergeMounts(c.volumeMounts ?? [], matching, conflicts, where));
    const envFrom = [...(c.envFrom ?? [])];
    for (const p of matching) for (const s of p.spec.envFrom ?? []) if (!envFrom.some((x) => deepEqual(x, s))) envFrom.push(structuredClone(s));
    setList(c, 'envFrom', envFrom);
  }
  if (conflicts.length > 0) {
    const names = matching.map((p) => p.name).join(', ');
    const unknown = conflicts.every((c) => c.includes('neither the pod nor the presets'));
    throw new BuilderError(
      unknown ? 'UnknownVolume' : 'PresetConflict',
      `presets ${names} cannot be applied to ${out.kind} '${out.metadata?.name ?? ''}', nothing was applied:\n  ${conflicts.join('\n  ')}`,
      'spec',
    );
  }
  const added = Object.fromEntries(matching.map((p) => [p.annotationKey, p.version]));
  holder.metadata = { ...holder.metadata, annotations: { ...annotations, ...added } };
  return validateBuilt(out);
}

// Sets a list field, leaving it absent when it was absent and stays empty.
function setList<O extends object, K extends keyof O>(o: O, key: K, list: O[K] & readonly unknown[]): void {
  if (list.length > 0 || o[key] !== undefined) o[key] = list;
}

// Merges presets' named entries into a list: a new name is appended, an equal entry is
// skipped, a different entry under a taken name is a conflict.
function mergeByName<E extends { name: string }>(
  base: readonly E[],
  presets: readonly PodPreset[],
  pick: (p: PodPreset) => readonly E[] | undefined,
  what: string,
  conflicts: string[],
  where: string,
): E[] {
  const merged = [...base];
  for (const p of presets) {
    for (const e of pick(p) ?? []) {
      const found = merged.find((x) => x.name === e.name);
      if (found === undefined) merged.push(structuredClone(e));
      else if (!deepEqual(found, e)) conflicts.push(`${where}: preset '${p.name}' sets ${what} '${e.name}' to ${JSON.stringify(e)}, but it is already ${JSON.stringify(found)}`);
    }
  }
  return merged;
}

// Mounts conflict by volume name and by mount path, as in the plugin's mergeVolumeMounts.
function mergeMounts(base: readonly VolumeMount[], presets: readonly PodPreset[], conflicts: string[], where: string): VolumeMount[] {
  const merged = [...base];
  for (const p of presets) {
    for (const m of p.spec.volumeMounts ?? []) {
      const byName = merged.find((x) => x.name === m.name);
      const byPath = merged.find((x) => x.mountPath === m.mountPath);
      if (byName !== undefined && !deepEqual(byName, m)) {
        conflicts.push(`${where}: preset '${p.name}' mounts volume '${m.name}' as ${JSON.stringify(m)}, but it is already mounted as ${JSON.stringify(byName)}`);
      } else if (byPath !== undefined && !deepEqual(byPath, m)) {
        conflicts.push(`${where}: preset '${p.name}' mounts '${m.name}' at ${m.mountPath}, where volume '${byPath.name}' is already mounted`);
      } else if (byName === undefined) {
        merged.push(structuredClone(m));
      }
    }
  }
  return merged;
}
