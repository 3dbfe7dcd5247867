/**
 * API versions Kubernetes has removed, from the Kubernetes deprecated-API migration guide, so
 * that `batch/v1beta1` CronJob is reported as "removed in Kubernetes 1.25; use batch/v1"
 * instead of "unknown kind, nothing checked". Kept by hand next to the generated spec: the
 * OpenAPI documents of the pinned release (openapi/) show what is served, not what was removed
 * and what replaced it. Alpha and beta versions that only the pinned release stopped serving
 * are reported from discovery when a server is known (see ops/manifests.ts).
 */

export interface RemovedApi {
  /** The release that stopped serving it. */
  readonly removedIn: string;
  /** The apiVersion to use instead, or undefined when the API is gone without a successor. */
  readonly use: string | undefined;
  /** What to do when there is no successor (or something to know when migrating). */
  readonly note?: string;
}

// [removedIn, old apiVersion, kinds, replacement apiVersion, note]
const TABLE: readonly (readonly [string, string, readonly string[], string | undefined, string?])[] = [
  ['1.16', 'extensions/v1beta1', ['NetworkPolicy'], 'networking.k8s.io/v1'],
  ['1.16', 'extensions/v1beta1', ['DaemonSet', 'Deployment', 'ReplicaSet'], 'apps/v1', 'spec.selector is required in apps/v1'],
  ['1.16', 'apps/v1beta1', ['Deployment', 'StatefulSet', 'ReplicaSet'], 'apps/v1', 'spec.selector is required in apps/v1'],
  ['1.16', 'apps/v1beta2', ['DaemonSet', 'Deployment', 'StatefulSet', 'ReplicaSet'], 'apps/v1'],
  ['1.16', 'extensions/v1beta1', ['PodSecurityPolicy'], undefined, 'PodSecurityPolicy was removed altogether in 1.25: use Pod Security Admission (namespace labels pod-security.kubernetes.io/*)'],
  ['1.22', 'extensions/v1beta1', ['Ingress'], 'networking.k8s.io/v1', 'backend.serviceName/servicePort became backend.service.name/port, and pathType is required'],
  ['1.22', 'networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], 'networking.k8s.io/v1', 'for Ingress, backend.serviceName/servicePort became backend.service.name/port, and pathType is required'],
  ['1.22', 'admissionregistration.k8s.io/v1beta1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], 'admissionregistration.k8s.io/v1', 'sideEffects and admissionReviewVersions are required in v1'],
  ['1.22', 'apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], 'apiextensions.k8s.io/v1', 'v1 needs a structural schema per version (spec.versions[*].schema.openAPIV3Schema)'],
  ['1.22', 'apiregistration.k8s.io/v1beta1', ['APIService'], 'apiregistration.k8s.io/v1'],
  ['1.22', 'authentication.k8s.io/v1beta1', ['TokenReview'], 'authentication.k8s.io/v1'],
  ['1.22', 'authorization.k8s.io/v1beta1', ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SubjectAccessReview'], 'authorization.k8s.io/v1'],
  ['1.22', 'certificates.k8s.io/v1beta1', ['CertificateSigningRequest'], 'certificates.k8s.io/v1', 'spec.signerName is required in v1'],
  ['1.22', 'coordination.k8s.io/v1beta1', ['Lease'], 'coordination.k8s.io/v1'],
  ['1.22', 'rbac.authorization.k8s.io/v1beta1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], 'rbac.authorization.k8s.io/v1'],
  ['1.22', 'scheduling.k8s.io/v1beta1', ['PriorityClass'], 'scheduling.k8s.io/v1'],
  ['1.22', 'storage.k8s.io/v1beta1', ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], 'storage.k8s.io/v1'],
  ['1.25', 'batch/v1beta1', ['CronJob'], 'batch/v1'],
  ['1.25', 'discovery.k8s.io/v1beta1', ['EndpointSlice'], 'discovery.k8s.io/v1', 'per-endpoint topology became nodeName and zone'],
  ['1.25', 'events.k8s.io/v1beta1', ['Event'], 'events.k8s.io/v1'],
  ['1.25', 'autoscaling/v2beta1', ['HorizontalPodAutoscaler'], 'autoscaling/v2', 'targetAverageUtilization became target.averageUtilization'],
  ['1.25', 'policy/v1beta1', ['PodDisruptionBudget'], 'policy/v1', 'an empty spec.selector selects every Pod in the namespace in policy/v1'],
  ['1.25', 'policy/v1beta1', ['PodSecurityPolicy'], undefined, 'PodSecurityPolicy was removed altogether: use Pod Security Admission (namespace labels pod-security.kubernetes.io/*)'],
  ['1.25', 'node.k8s.io/v1beta1', ['RuntimeClass'], 'node.k8s.io/v1'],
  ['1.26', 'flowcontrol.apiserver.k8s.io/v1beta1', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
  ['1.26', 'autoscaling/v2beta2', ['HorizontalPodAutoscaler'], 'autoscaling/v2'],
  ['1.27', 'storage.k8s.io/v1beta1', ['CSIStorageCapacity'], 'storage.k8s.io/v1'],
  ['1.29', 'flowcontrol.apiserver.k8s.io/v1beta2', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
  ['1.32', 'flowcontrol.apiserver.k8s.io/v1beta3', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
];

const BY_KEY: ReadonlyMap<string, RemovedApi> = new Map(
  TABLE.flatMap(([removedIn, apiVersion, kinds, use, note]) =>
    kinds.map((kind) => [`${apiVersion}/${kind}`, { removedIn, use, ...(note ? { note } : {}) }] as const),
  ),
);

/** The removal record for an apiVersion and kind, if Kubernetes removed it. */
export function removedApi(apiVersion: string, kind: string): RemovedApi | undefined {
  return BY_KEY.get(`${apiVersion}/${kind}`);
}

/** "CronJob batch/v1beta1 was removed in Kubernetes 1.25; use batch/v1 (…)". */
export function removedApiMessage(apiVersion: string, kind: string, r: RemovedApi): string {
  const use = r.use ? `; use apiVersion ${r.use}` : '';
  return `${kind} ${apiVersion} was removed in Kubernetes ${r.removedIn}${use}${r.note ? ` (${r.note})` : ''}`;
}

/** Every removed apiVersion/kind pair, for tests and tooling. */
export function removedApis(): readonly { readonly apiVersion: string; readonly kind: string; readonly removal: RemovedApi }[] {
  return [...BY_KEY].map(([key, removal]) => {
    const slash = key.lastIndexOf('/');
    return { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1), removal };
  });
}
