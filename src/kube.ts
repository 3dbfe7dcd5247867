/**
 * The entry point: `const kube = await Kube.connect()`, then `kube.pods.namespace('web')`,
 * `kube.applyManifests(...)`, `kube.rollout.status(...)`. The client (src/client) and the
 * kubectl verbs (src/ops) meet here, above both, so neither imports the other upwards.
 * The verbs are imported on first use (src/ops/lazy.ts), not with `Kube`.
 */
import type { Deployment, Service } from '../generated/models.js';
import type { Exposable } from './builders/service.js';
import { KubeClient } from './client/kube.js';
import type { CallOptions } from './client/types.js';
import type { applyManifests, deleteManifests, ApplyManifestsOptions, DeleteManifestsOptions, ManifestResult } from './ops/manifests.js';
import type {
  ExposeWorkloadOptions, Rollable, RolloutRevision, RolloutStatusOptions, ScalableKind, ScaleOptions, SetImageOptions, WorkloadRef,
} from './ops/workloads.js';
import { manifestVerbs as manifests, workloadVerbs as workloads } from './ops/lazy.js';

/** `kubectl rollout` as methods. */
export interface RolloutVerbs {
  /** Waits until the workload's rollout is complete (`kubectl rollout status`). */
  status(ref: WorkloadRef, options?: RolloutStatusOptions): Promise<Rollable>;
  /** Restarts the workload's pods with a new rollout (`kubectl rollout restart`). */
  restart(ref: WorkloadRef, options?: SetImageOptions): Promise<Rollable>;
  /** The Deployment's revisions (`kubectl rollout history`). */
  history(ref: WorkloadRef<'Deployment'>, options?: CallOptions): Promise<RolloutRevision[]>;
  /** Rolls the Deployment back to the previous (or a given) revision (`kubectl rollout undo`). */
  undo(ref: WorkloadRef<'Deployment'>, options?: CallOptions & { readonly toRevision?: number }): Promise<Deployment>;
}

/** A connected client for one cluster, with kubectl's everyday verbs (each is the function of the same name in src/ops). */
export class Kube extends KubeClient {
  /** Validates every document, dry-runs the set on the server, then server-side applies it in dependency order. See {@link applyManifests}. */
  applyManifests(input: string | readonly unknown[], options: ApplyManifestsOptions): Promise<ManifestResult[]> {
    return manifests().then((m) => m.applyManifests(this, input, options));
  }

  /** Deletes what the manifests describe, in reverse dependency order. See {@link deleteManifests}. */
  deleteManifests(input: string | readonly unknown[], options?: DeleteManifestsOptions): Promise<ManifestResult[]> {
    return manifests().then((m) => m.deleteManifests(this, input, options));
  }

  /** Server-side applies a Service for a workload's pods, ports checked against its containers. */
  expose(workload: Exposable, options: ExposeWorkloadOptions): Promise<Service> {
    return workloads().then((m) => m.exposeWorkload(this, workload, options));
  }

  /** Sets the replica count through the scale subresource; `wait` waits for that many ready replicas. */
  scale(ref: WorkloadRef<ScalableKind>, replicas: number, options?: ScaleOptions): Promise<void> {
    return workloads().then((m) => m.scaleWorkload(this, ref, replicas, options));
  }

  /** Changes one container's image in a workload's pod template (starts a rollout). */
  setImage(ref: WorkloadRef, container: string, image: string, options?: SetImageOptions): Promise<Rollable> {
    return workloads().then((m) => m.setImage(this, ref, container, image, options));
  }

  /** `kubectl rollout`: status (watch-based), restart, history and undo. */
  get rollout(): RolloutVerbs {
    return {
      status: (ref, options) => workloads().then((m) => m.rolloutStatus(this, ref, options)),
      restart: (ref, options) => workloads().then((m) => m.rolloutRestart(this, ref, options)),
      history: (ref, options) => workloads().then((m) => m.rolloutHistory(this, ref, options)),
      undo: (ref, options) => workloads().then((m) => m.rolloutUndo(this, ref, options)),
    };
  }
}
