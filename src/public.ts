// The public surface kubefluent has everywhere: the node entry (src/index.ts) and the portable
// one (src/portable.ts, browser/Deno/Bun/workers) both re-export this list, and add only what
// exists in their build alone, so the two cannot drift (test/package/entries.test.ts checks).
// Append here what works in both builds; a name only one build can have goes in that entry.
// Type-only exports whose module differs per build (transport.js, port-forward.js) name
// types only: the build swaps those modules, and a type has no code to swap.
export { Kube, type RolloutVerbs } from './kube.js';
export { KubeClient, type ClientOptions, type ConnectOptions, type PreferredHandles, type CustomResourceOptions } from './client/kube.js';
export { ResourceClient, type ObjectValidator } from './client/resource-client.js';
export type {
  ApplyObject, ApplyOptions, CallOptions, ClusterHandle, CustomResourceSpec, DeleteCollectionOptions, DeleteOptions,
  DynamicHandle, EvictOptions, FieldValidation, GetOptions, InfoOf, KubeList, KubeObject, ListOptions, LogOptions,
  NamespacedHandle, PatchInput, ResourceHandle, ScopedOps, StreamingSubresource, SubresourceHandle, SubresourceOps, WaitOptions, WriteOptions,
} from './client/types.js';
export { LineDecoder, DEFAULT_MAX_WATCH_LINE_BYTES, DEFAULT_MAX_LOG_LINE_BYTES } from './client/line-decoder.js';
export { watchStream, parseWatchLine, type WatchEvent, type WatchEventType, type WatchOptions, type BookmarkObject } from './client/watch.js';
export { conditions, deleted, exists, hasCondition, podReady, podCompleted, deploymentAvailable, rolledOut, jobComplete, type Condition, type NamedCondition } from './client/conditions.js';
export { Discovery, type DiscoveryQuery } from './client/discovery.js';
export {
  type StatusCause, type KubeStatus, KubefluentError, type RequestRef, KubeError, BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, MethodNotAllowedError, AlreadyExistsError, ConflictError, GoneError, ExpiredError, InvalidError, UnsupportedMediaTypeError, TooManyRequestsError, TimeoutError, ServerError, ServiceUnavailableError, NetworkError, TlsError, RequestTimeoutError, AbortedError, type ConfigErrorDetails, ConfigError, AuthPluginError, WatchError, WaitTimeoutError, DiscoveryError, UsageError, MalformedResponseError, normalizeStatus, isStatus, errorFromStatus, errorFromResponse,
} from './core/errors.js';
export { resourcePath, groupVersionPath } from './core/paths.js';
export { apiVersionOf, type ResourceInfo } from './core/resource-info.js';
export { labelSelector, fieldSelector, LabelSelector, FieldSelector, formatLabelSelector, formatFieldSelector, type LabelSelectorInput, type LabelSelectorObject, type FieldSelectorInput, type FieldSelectorKey } from './core/selectors.js';
export { mergePatch, strategicMergePatch, jsonPatch, jsonPointer, patchContentTypes, type Patch, type PatchType, type DeepPartial, type JsonPatchOperation, type StrategicMergePatch } from './core/patch.js';
export { ClusterConfig, type TlsOptions, type Impersonation, type ClusterConfigInit } from './config/cluster-config.js';
export { loadClusterConfig, type ConfigOptions } from './config/load.js';
export { ResponseTooLargeError, ResponseEncodingError, UpgradeError } from './net/response-errors.js';
export { type RetryOptions } from './transport/retry.js';
export { type RateLimitOptions } from './transport/rate-limiter.js';
export { type KubeWarning } from './transport/warnings.js';
export { applyManifests, deleteManifests, parseManifests, ManifestError, APPLY_SET_LABEL, type ApplyManifestsOptions, type ApplySetPruneOptions, type DeleteManifestsOptions, type ManifestDocument, type ManifestProblem, type ManifestResult } from './ops/manifests.js';
export type { OpsClient } from './ops/ops-client.js';
export { applySetId, ApplySetError, APPLYSET_ID_LABEL, APPLYSET_PART_OF_LABEL, APPLYSET_TOOLING_ANNOTATION, APPLYSET_GROUP_KINDS_ANNOTATION, APPLYSET_NAMESPACES_ANNOTATION, DEFAULT_APPLYSET_TOOLING } from './ops/applyset.js';
export { exposeWorkload, scaleWorkload, setImage, rolloutStatus, rolloutRestart, rolloutHistory, rolloutUndo, WorkloadError, type ExposeWorkloadOptions, type Rollable, type RollableKind, type RolloutRevision, type RolloutStatusOptions, type ScalableKind, type ScaleOptions, type SetImageOptions, type WorkloadRef } from './ops/workloads.js';
// Model types: the everyday kinds by name here; every generated alias and the group/version
// namespaces (core.v1.Pod, apps.v1.Deployment, …) in `kubefluent/models`.
// Not `export type *`: names such as Volume and Probe belong to kubefluent/builders; and not
// `export type * as models`: bundled declarations turn it into `typeof <namespace>`, which
// does not compile for type-only namespaces (test/package/dist.int.test.ts checks).
export type {
  ObjectMeta, ListMeta, OwnerReference, Scale, Pod, PodSpec, PodTemplateSpec, Container, Deployment, StatefulSet, DaemonSet, ReplicaSet,
  Job, CronJob, Service, Endpoints, EndpointSlice, Ingress, NetworkPolicy, ConfigMap, Secret, Namespace, Node, Event, ServiceAccount,
  PersistentVolume, PersistentVolumeClaim, StorageClass, Role, RoleBinding, ClusterRole, ClusterRoleBinding, HorizontalPodAutoscaler,
  PodDisruptionBudget, CustomResourceDefinition, Lease, ResourceQuota, LimitRange, PriorityClass,
} from '../generated/models.js';
export { resources, preferred, resourceKeysByKind, type ResourceKey, type Resources as ResourceTable, type ResourceTypeMap, type ResourceListTypeMap, type PreferredName } from '../generated/resources.js';
export { validate, assertValid, loadSchemas, ValidationError, type ValidationIssue, type ValidateOptions, type ValidationMode, type ValidationResult } from './core/validation.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export * from './builders.js';
export * from './runtime/index.js';
export { ExecError, PortForwardError, CopyError, type PortForwardErrorReason } from './streams/errors.js';
export { EXEC_PROTOCOLS, type ExecProtocol, type ExecOptions, type AttachOptions, type SessionOptions, type ExecProcess, type ExecStdin, type ExecOutput } from './streams/exec.js';
export { DEFAULT_CONTAINER_ANNOTATION, pickDefaultContainer, type DefaultContainerNotice, type DefaultContainerOptions, type PodShape } from './streams/default-container.js';
export { type PodPortStream, type PortStreamOptions } from './streams/port-stream.js';
export { type CopyOptions, type CopyResult } from './streams/cp.js';
export { WebSocketError, type WsConnection, type WsCloseInfo } from './net/websocket.js';
// The operations a resource handle offers (one interface per verb), and the shapes named in
// public signatures, so the API reference can document them.
export type {
  AttachOps, CreateOps, DeleteCollectionOps, DeleteOps, EvictionOps, ExecOps, GetOps, ListOps, LogOps, PatchOps, PortForwardOps, ScaleOps, SelectorOptions, StatusOps, UpdateOps, WaitOps, WatchOps,
} from './client/types.js';
export type { AuthProviderConfig, ExecConfig, Kubeconfig, KubeconfigCluster, KubeconfigContext, KubeconfigUser } from './config/kubeconfig-shape.js';
export type { PathParts, QueryValue } from './core/paths.js';
export type { CredentialProvider, Credentials, ClientCertificate } from './config/credentials.js';
export type { KubeTransport, RequestOptions, StreamResponse, UpgradeOptions, UpgradeResponse } from './transport/kube-transport.js';
export type { CommonTransportOptions, DebugEvent } from './transport/transport.js';
export { type PortSpec, type PortMapping, type PortForwardOptions, type PortForwarder } from './streams/port-forward.js';
