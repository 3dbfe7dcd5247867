/**
 * What the ops verbs need of a client: a few typed handles, generic `resource()`, discovery
 * and the default namespace. Ops take this view as a parameter; the client never imports
 * ops (the public `Kube` in src/kube.ts composes the two).
 */
import type { KubeClient } from '../client/kube.js';

/** The narrow view of a client that `applyManifests`, `scaleWorkload`, `rolloutStatus`, … use. */
export type OpsClient = Pick<
  KubeClient,
  | 'defaultNamespace' | 'resource' | 'discovery'
  | 'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets' | 'services'
  | 'namespaces' | 'configmaps' | 'customresourcedefinitions'
>;
