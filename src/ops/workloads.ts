/**
 * kubectl's everyday workload verbs on the typed client: expose, scale, set image and
 * rollout (status, restart, undo, history). Each is a few requests a reader can follow;
 * waits are watch-based, never polling loops.
 */
import type { DaemonSet, Deployment, PodTemplateSpec, ReplicaSet, Service, StatefulSet } from '../../generated/models.js';
import { expose as buildService, type ExposeOptions, type Exposable } from '../builders/service.js';
import type { OpsClient } from './ops-client.js';
import type { ResourceClient } from '../client/resource-client.js';
import type { CallOptions } from '../client/types.js';
import { jsonPatch, strategicMergePatch } from '../core/patch.js';
import { brand, KubefluentError, UsageError } from '../core/errors.js';

/** A workload verb could not do what was asked (unknown container, no such revision, rollout stuck). */
export class WorkloadError extends KubefluentError {
  static { brand(this, 'WorkloadError'); }
  constructor(message: string, reason: 'ContainerNotFound' | 'RevisionNotFound' | 'RolloutFailed' | 'NotRollable') {
    super(message, reason);
  }
}

/** Workloads with a pod template that can be rolled out. */
export type RollableKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
/** Workloads with a scale subresource. */
export type ScalableKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet';

/** A workload by kind, name and namespace. */
export interface WorkloadRef<K extends string = RollableKind> {
  readonly kind: K;
  readonly name: string;
  /** Default: the client's namespace. */
  readonly namespace?: string;
}

/** The workloads `rollout` works on. */
export type Rollable = Deployment | StatefulSet | DaemonSet;

function handle(kube: OpsClient, kind: string, namespace: string | undefined): ResourceClient<Rollable> {
  const ns = namespace ?? kube.defaultNamespace;
  switch (kind) {
    case 'Deployment':
      return kube.deployments.namespace(ns) as unknown as ResourceClient<Rollable>;
    case 'StatefulSet':
      return kube.statefulsets.namespace(ns) as unknown as ResourceClient<Rollable>;
    case 'DaemonSet':
      return kube.daemonsets.namespace(ns) as unknown as ResourceClient<Rollable>;
    default:
      throw new UsageError(`${kind} cannot be rolled out: use Deployment, StatefulSet or DaemonSet`);
  }
}

export interface ExposeWorkloadOptions extends ExposeOptions, CallOptions {
  readonly fieldManager: string;
  readonly namespace?: string;
  readonly dryRun?: boolean;
}

/**
 * Creates (server-side applies) a Service for a workload's pods; ports are checked
 * against the containers' ports first.
 * @example await exposeWorkload(kube, web, { port: 80, targetPort: 'http', fieldManager: 'me' })
 */
export async function exposeWorkload(kube: OpsClient, workload: Exposable, options: ExposeWorkloadOptions): Promise<Service> {
  // The builder refuses keys it does not know: hand it the Service's options only.
  const { fieldManager, namespace, dryRun, signal, timeoutMs, ...serviceOptions } = options;
  const svc = buildService(workload, serviceOptions).build();
  const ns = namespace ?? svc.metadata?.namespace ?? kube.defaultNamespace;
  return await kube.services.namespace(ns).apply(
    { ...svc, metadata: { ...svc.metadata, namespace: ns } },
    {
      fieldManager,
      ...(dryRun ? { dryRun: true } : {}),
      ...(signal ? { signal } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
  );
}

export interface ScaleOptions extends CallOptions {
  /** Wait until the workload reports that many ready replicas (watch-based). */
  readonly wait?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Sets the replica count through the scale subresource and optionally waits for it.
 * @example await scaleWorkload(kube, { kind: 'Deployment', name: 'web' }, 4, { wait: true })
 */
export async function scaleWorkload(kube: OpsClient, ref: WorkloadRef<ScalableKind>, replicas: number, options: ScaleOptions = {}): Promise<void> {
  if (!Number.isInteger(replicas) || replicas < 0) throw new UsageError(`replicas must be a whole number >= 0, got ${replicas}`);
  const ns = ref.namespace ?? kube.defaultNamespace;
  const call = options.signal ? { signal: options.signal } : {};
  const client = (
    ref.kind === 'Deployment' ? kube.deployments.namespace(ns) : ref.kind === 'StatefulSet' ? kube.statefulsets.namespace(ns) : kube.replicasets.namespace(ns)
  ) as unknown as ResourceClient<Deployment | StatefulSet | ReplicaSet>;
  await client.scale(ref.name, replicas, call);
  if (!options.wait) return;
  await client.waitFor(
    ref.name,
    {
      description: `${ref.kind} ${ref.name} to have ${replicas} ready replicas`,
      test: (o) => {
        const s = o as { status?: { replicas?: number; readyReplicas?: number; observedGeneration?: number }; metadata?: { generation?: number } } | undefined;
        if (!s?.status) return false;
        const observed = (s.status.observedGeneration ?? 0) >= (s.metadata?.generation ?? 0);
        return observed && (s.status.readyReplicas ?? 0) === replicas && (s.status.replicas ?? 0) === replicas;
      },
    },
    { timeoutMs: options.timeoutMs ?? 120_000, ...call },
  );
}

export interface SetImageOptions extends CallOptions {
  readonly fieldManager?: string;
}

/**
 * Changes one container's image in a workload's pod template (a strategic merge patch keyed
 * by container name), which starts a rollout. An unknown container name is an error naming
 * the containers there are.
 * @example await setImage(kube, { kind: 'Deployment', name: 'web' }, 'web', 'nginx:1.28')
 */
export async function setImage(kube: OpsClient, ref: WorkloadRef, container: string, image: string, options: SetImageOptions = {}): Promise<Rollable> {
  const client = handle(kube, ref.kind, ref.namespace);
  const call = options.signal ? { signal: options.signal } : {};
  const current = await client.get(ref.name, call);
  const spec = current.spec?.template.spec;
  const inMain = spec?.containers.some((c) => c.name === container) ?? false;
  const inInit = spec?.initContainers?.some((c) => c.name === container) ?? false;
  if (!inMain && !inInit) {
    const names = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.name);
    throw new WorkloadError(`${ref.kind} ${ref.name} has no container "${container}"; its containers are: ${names.join(', ')}`, 'ContainerNotFound');
  }
  const list = inMain ? 'containers' : 'initContainers';
  const patch = strategicMergePatch<Rollable>({ spec: { template: { spec: { [list]: [{ name: container, image }] } } } } as never);
  return await client.patch(ref.name, patch, { ...call, ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}) });
}

export interface RolloutStatusOptions extends CallOptions {
  readonly timeoutMs?: number;
  /** Called with a short line whenever the rollout's progress changes. */
  readonly onProgress?: (line: string) => void;
}

function rolloutProgress(kind: string, o: Rollable | undefined): { done: boolean; line: string; failed?: string } {
  if (!o) return { done: false, line: `${kind} not found` };
  const gen = o.metadata?.generation ?? 0;
  const st = (o.status ?? {}) as {
    observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number; readyReplicas?: number;
    currentReplicas?: number; updatedNumberScheduled?: number; numberAvailable?: number; desiredNumberScheduled?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
  if ((st.observedGeneration ?? 0) < gen) return { done: false, line: 'waiting for the controller to observe the update' };
  if (o.kind === 'DaemonSet') {
    const want = st.desiredNumberScheduled ?? 0;
    const upd = st.updatedNumberScheduled ?? 0;
    const avail = st.numberAvailable ?? 0;
    return { done: upd === want && avail === want, line: `${upd} of ${want} updated, ${avail} available` };
  }
  const want = (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  const available = o.kind === 'StatefulSet' ? (st.readyReplicas ?? 0) : (st.availableReplicas ?? 0);
  const total = st.replicas ?? 0;
  const stuck = st.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  const line = `${updated} of ${want} updated, ${available} available${total > want ? `, ${total - want} old terminating` : ''}`;
  return { done: updated === want && available === want && total === want, line, ...(stuck ? { failed: stuck.message ?? 'progress deadline exceeded' } : {}) };
}

/** Waits (watch-based) until the rollout is complete; a stuck Deployment is a WorkloadError. */
export async function rolloutStatus(kube: OpsClient, ref: WorkloadRef, options: RolloutStatusOptions = {}): Promise<Rollable> {
  const client = handle(kube, ref.kind, ref.namespace);
  let last = '';
  let failed: string | undefined;
  const result = await client.waitFor(
    ref.name,
    {
      description: `the rollout of ${ref.kind} ${ref.name} to finish`,
      test: (o) => {
        const p = rolloutProgress(ref.kind, o as Rollable | undefined);
        if (p.line !== last) {
          last = p.line;
          options.onProgress?.(p.line);
        }
        failed = p.failed;
        return p.done || failed !== undefined;
      },
    },
    { timeoutMs: options.timeoutMs ?? 300_000, ...(options.signal ? { signal: options.signal } : {}) },
  );
  if (failed) throw new WorkloadError(`rollout of ${ref.kind} ${ref.name} failed: ${failed}`, 'RolloutFailed');
  return result as Rollable;
}

/** Restarts every pod of a workload, as `kubectl rollout restart` does (a template annotation). */
export async function rolloutRestart(kube: OpsClient, ref: WorkloadRef, options: SetImageOptions = {}): Promise<Rollable> {
  const client = handle(kube, ref.kind, ref.namespace);
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
  return await client.patch(ref.name, strategicMergePatch<Rollable>(patch as never), {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
  });
}

/** One revision of a Deployment. */
export interface RolloutRevision {
  readonly revision: number;
  /** The `kubernetes.io/change-cause` annotation, when set. */
  readonly changeCause: string | undefined;
  readonly replicaSet: string;
  readonly images: readonly string[];
  readonly template: PodTemplateSpec;
}

/** The revisions of a Deployment, oldest first (from the ReplicaSets it owns). */
export async function rolloutHistory(kube: OpsClient, ref: WorkloadRef<'Deployment'>, options: CallOptions = {}): Promise<RolloutRevision[]> {
  const ns = ref.namespace ?? kube.defaultNamespace;
  const call = options.signal ? { signal: options.signal } : {};
  const dep = await kube.deployments.namespace(ns).get(ref.name, call);
  const selector = dep.spec?.selector.matchLabels ?? {};
  const rss = await kube.replicasets.namespace(ns).list({ labelSelector: selector, ...call });
  const owned = rss.items.filter((rs: ReplicaSet) => rs.metadata?.ownerReferences?.some((r) => r.kind === 'Deployment' && r.uid === dep.metadata?.uid));
  return owned
    .map((rs: ReplicaSet) => ({
      revision: Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
      changeCause: rs.metadata?.annotations?.['kubernetes.io/change-cause'],
      replicaSet: rs.metadata?.name ?? '',
      images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
      template: rs.spec?.template ?? {},
    }))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * Rolls a Deployment back to the previous revision, or to `toRevision`, as
 * `kubectl rollout undo` does: the old ReplicaSet's template becomes the Deployment's.
 */
export async function rolloutUndo(kube: OpsClient, ref: WorkloadRef<'Deployment'>, options: CallOptions & { readonly toRevision?: number } = {}): Promise<Deployment> {
  const history = await rolloutHistory(kube, ref, options);
  if (history.length === 0) throw new WorkloadError(`Deployment ${ref.name} has no revisions to roll back to`, 'RevisionNotFound');
  const current = history[history.length - 1]!;
  const target = options.toRevision !== undefined ? history.find((h) => h.revision === options.toRevision) : history[history.length - 2];
  if (!target || target.revision === current.revision) {
    const have = history.map((h) => h.revision).join(', ');
    throw new WorkloadError(
      options.toRevision !== undefined
        ? `Deployment ${ref.name} has no revision ${options.toRevision} to roll back to (revisions: ${have})`
        : `Deployment ${ref.name} has no previous revision (revisions: ${have})`,
      'RevisionNotFound',
    );
  }
  const labels = { ...target.template.metadata?.labels };
  delete labels['pod-template-hash'];
  const template: PodTemplateSpec = { ...target.template, metadata: { ...target.template.metadata, labels } };
  const ns = ref.namespace ?? kube.defaultNamespace;
  // A JSON patch replaces the whole template, as undo must (a merge would keep fields the old revision lacked).
  return await kube.deployments.namespace(ns).patch(
    ref.name,
    jsonPatch<Deployment>([{ op: 'replace', path: '/spec/template', value: template }]),
    options.signal ? { signal: options.signal } : {},
  );
}
