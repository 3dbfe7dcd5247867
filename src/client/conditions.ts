/**
 * Ready-made conditions for `waitFor`. A condition sees the object, or undefined while it
 * does not exist.
 */

/** A named test, so timeouts can say what was awaited. */
export interface NamedCondition<T> {
  readonly description: string;
  /** Whether the object (undefined once deleted) meets the condition. */
  test(object: T | undefined): boolean;
}

/** What `waitFor` waits for: a predicate, or a named one whose name appears in timeouts. */
export type Condition<T> = ((object: T | undefined) => boolean) | NamedCondition<T>;

export function describeCondition<T>(c: Condition<T>): string {
  return typeof c === 'function' ? (c.name && c.name !== 'anonymous' ? c.name : 'condition') : c.description;
}

export function testCondition<T>(c: Condition<T>, object: T | undefined): boolean {
  return typeof c === 'function' ? c(object) : c.test(object);
}

interface WithConditions {
  status?: { conditions?: readonly { type?: string; status?: string; reason?: string }[] };
}

function conditionStatus(object: WithConditions | undefined, type: string): { status?: string; reason?: string } | undefined {
  return object?.status?.conditions?.find((c) => c.type === type);
}

/** The object exists. */
export const exists: NamedCondition<unknown> = { description: 'the object to exist', test: (o) => o !== undefined };

/** The object is gone (deleted and finalized). */
export const deleted: NamedCondition<unknown> = { description: 'the object to be deleted', test: (o) => o === undefined };

/** status.conditions has `type` with `status` (default 'True'). */
export function hasCondition(type: string, status = 'True'): NamedCondition<WithConditions> {
  return { description: `condition ${type}=${status}`, test: (o) => conditionStatus(o, type)?.status === status };
}

interface PodLike {
  status?: { phase?: string; conditions?: readonly { type?: string; status?: string }[] };
}

/** The pod's Ready condition is True. */
export const podReady: NamedCondition<PodLike> = {
  description: 'the pod to be Ready',
  test: (p) => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
};

/** The pod has finished: phase Succeeded or Failed. */
export const podCompleted: NamedCondition<PodLike> = {
  description: 'the pod to complete',
  test: (p) => p?.status?.phase === 'Succeeded' || p?.status?.phase === 'Failed',
};

interface DeploymentLike {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: readonly { type?: string; status?: string; reason?: string }[];
  };
}

/** The Deployment's Available condition is True (minimum replicas available). */
export const deploymentAvailable: NamedCondition<DeploymentLike> = {
  description: 'the deployment to be Available',
  test: (d) => conditionStatus(d, 'Available')?.status === 'True',
};

/**
 * The rollout is complete, by kubectl rollout status's rules: the controller has seen the
 * latest generation, every replica is updated and available, and no old replicas remain.
 * A rollout past its progress deadline never becomes true here.
 */
export const rolledOut: NamedCondition<DeploymentLike> = {
  description: 'the deployment rollout to complete',
  test: (d) => {
    if (!d?.status || !d.metadata) return false;
    const s = d.status;
    if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? -1)) return false;
    if (conditionStatus(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded') return false;
    const want = d.spec?.replicas ?? 1;
    return (s.updatedReplicas ?? 0) >= want && (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
  },
};

/** A Job has completed (condition Complete=True). */
export const jobComplete: NamedCondition<WithConditions> = hasCondition('Complete');

/** All the ready-made conditions, for `waitFor(name, conditions.podReady)`. */
export const conditions = {
  exists,
  deleted,
  /** status.conditions has `type` with `status` (default 'True'). */
  hasCondition,
  podReady,
  podCompleted,
  deploymentAvailable,
  rolledOut,
  jobComplete,
} as const;
