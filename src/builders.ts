/**
 * `kubefluent/builders`: immutable builders that produce plain, typed, schema-checked
 * Kubernetes objects. Nothing is added that the caller did not ask for.
 *
 * @example
 * import { container, cpu, deployment, expose, memory, pod, Probe } from 'kubefluent/builders';
 * const web = deployment('web', pod().label('app', 'web')
 *   .container(container('web', 'nginx:1.27').port(80, 'http')
 *     .resources({ requests: { cpu: cpu('250m'), memory: memory('128Mi') } })
 *     .readinessProbe(Probe.httpGet('/', 'http')))).replicas(2);
 * const svc = expose(web, { port: 80, targetPort: 'http' });
 */
export { BuilderError, type BuilderErrorReason } from './builders/errors.js';
export {
  canonicalQuantity,
  cpu,
  memory,
  parseQuantity,
  quantity,
  storageSize,
  type CpuQuantity,
  type MemoryQuantity,
  type QuantityKind,
  type ResourceQuantity,
  type StorageQuantity,
} from './builders/quantity.js';
export {
  DownwardAPIFile,
  Projection,
  Volume,
  type ClaimOptions,
  type ClaimTemplate,
  type EmptyDirOptions,
  type Items,
  type KeyedSourceOptions,
  type Mountable,
} from './builders/volume.js';
export { EnvFrom, EnvValue } from './builders/env.js';
export { Probe, type HttpGetOptions, type PortRef, type ProbeTiming } from './builders/probe.js';
export {
  container,
  ContainerBuilder,
  type MountOptions,
  type PortOptions,
  type Protocol,
  type PullPolicy,
  type ResourceMap,
  type ContainerResources,
} from './builders/container.js';
export type { MetadataBuilder } from './builders/metadata.js';
export { pod, PodBuilder, podTemplate, type PodSpecFields } from './builders/pod.js';
export {
  cronJob,
  CronJobBuilder,
  daemonSet,
  DaemonSetBuilder,
  deployment,
  DeploymentBuilder,
  job,
  JobBuilder,
  statefulSet,
  StatefulSetBuilder,
  type RollingOptions,
} from './builders/workloads.js';
export { expose, ServiceBuilder, type ExposeOptions, type Exposable, type PortSpec, type ServiceType } from './builders/service.js';
export {
  applyPresets,
  PODPRESET_ANNOTATION_PREFIX,
  PODPRESET_EXCLUDE_ANNOTATION,
  podPreset,
  PodPreset,
  type PodPresetObject,
  type PodPresetOptions,
  type PodPresetSpec,
  type PresetTarget,
} from './builders/preset.js';
