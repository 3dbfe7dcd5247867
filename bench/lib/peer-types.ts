/**
 * The few shapes the benchmark uses from each library. Peers are loaded at run time from
 * bench/node_modules (see child.ts), so their own typings are not needed to type-check.
 */
import type * as OursIndex from '../../src/index.js';
import type * as OursRuntime from '../../src/runtime/index.js';

export type Ours = typeof OursIndex;
/** Ours with the runtime (informers); see the runner for where it comes from. */
export type OursWithRuntime = typeof OursIndex & typeof OursRuntime;

export interface KubeObjectLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string };
}

/** Connection facts for the raw-undici "limit" side and the update driver. */
export interface ClusterFacts {
  readonly server: string;
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly kubeconfig: string;
}

// ---- @kubernetes/client-node 2.x ----
export interface CnKubeConfig {
  loadFromFile(path: string): void;
  loadFromOptions(options: unknown): void;
  makeApiClient<T>(api: new (...args: never[]) => T): T;
}
export interface CnList {
  readonly items: KubeObjectLike[];
  readonly metadata?: { readonly _continue?: string };
}
export interface CnCoreV1Api {
  listNamespacedConfigMap(p: { namespace: string; limit?: number; _continue?: string }): Promise<CnList>;
  readNamespacedConfigMap(p: { name: string; namespace: string }): Promise<KubeObjectLike>;
}
export interface CnInformer {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: KubeObjectLike) => void): void;
  on(verb: 'error' | 'connect', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  list(namespace?: string): KubeObjectLike[];
}
export interface ClientNode {
  KubeConfig: new () => CnKubeConfig;
  CoreV1Api: new (...args: never[]) => CnCoreV1Api;
  Watch: new (kc: CnKubeConfig) => {
    watch(path: string, query: Record<string, unknown>, cb: (type: string, obj: KubeObjectLike) => void, done: (err: unknown) => void): Promise<unknown>;
  };
  makeInformer(kc: CnKubeConfig, path: string, list: () => Promise<CnList>): CnInformer;
}

// ---- kubernetes-fluent-client ----
export interface FluentFilter {
  InNamespace(ns: string): FluentFilter;
  Get(name: string): Promise<KubeObjectLike>;
  Get(): Promise<{ items: KubeObjectLike[] }>;
}
export interface FluentClient {
  K8s(model: unknown): FluentFilter;
  kind: Readonly<Record<string, unknown>>;
}

// ---- undici (the "limit": raw HTTP plus JSON.parse) ----
export interface UndiciBody extends AsyncIterable<Uint8Array> {
  text(): Promise<string>;
}
export interface UndiciResponse {
  readonly statusCode: number;
  readonly body: UndiciBody;
}
export interface UndiciDispatcher {
  request(options: { origin: string; path: string; method: string; headers?: Record<string, string>; body?: string }): Promise<UndiciResponse>;
  close(): Promise<void>;
}
export interface Undici {
  Agent: new (options: { connect?: Record<string, unknown>; connections?: number; keepAliveTimeout?: number }) => UndiciDispatcher;
  request(url: string, options?: { method?: string; headers?: Record<string, string> }): Promise<UndiciResponse>;
}

// ---- kubernetes-models (precompiled Ajv validators) ----
export interface ModelsPodSchema {
  validate(data: unknown): boolean;
}
