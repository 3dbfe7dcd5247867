/**
 * The WebApp types, shaped exactly like webapp-crd.yaml's schema (hand-written for now; the
 * CRD → TypeScript generator will produce them from the YAML), and the resource description
 * for `kube.customResource`.
 */
import type { ObjectMeta } from 'kubefluent';

export interface WebAppSpec {
  /** The container image to run. */
  image: string;
  /** How many pods (0–100). */
  replicas: number;
  /** The port the container listens on (1–65535); the Service exposes it. */
  port: number;
  /** Optional configuration, mounted as environment variables from a ConfigMap. */
  config?: Record<string, string>;
}

export interface WebAppCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface WebAppStatus {
  observedGeneration?: number;
  availableReplicas?: number;
  conditions?: WebAppCondition[];
}

export interface WebApp {
  apiVersion?: 'example.kubefluent.dev/v1';
  kind?: 'WebApp';
  metadata?: ObjectMeta;
  spec: WebAppSpec;
  status?: WebAppStatus;
}

export const WEBAPP_GROUP = 'example.kubefluent.dev';
export const WEBAPP_API_VERSION = 'example.kubefluent.dev/v1';

/** For `kube.customResource<WebApp>(webAppResource)`. */
export const webAppResource = {
  group: WEBAPP_GROUP,
  version: 'v1',
  plural: 'webapps',
  kind: 'WebApp',
  namespaced: true,
  subresources: ['status'],
} as const;
