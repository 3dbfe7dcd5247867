/**
 * `loadClusterConfig` of the portable builds (browser, Deno, Bun, workers), put in place of
 * config/load.ts by the build (tsup.config.ts), so `Kube.connect()` has no node: imports
 * behind it. It takes a ready ClusterConfig, a kubeconfig object, or its YAML
 * (`kubeconfigYaml`); Deno and Bun also read a kubeconfig path ($KUBECONFIG or the
 * `kubeconfig` option) with their own file API. A page cannot read files: it says what to do.
 */
import { ClusterConfig } from '../../config/cluster-config.js';
import type { ConfigOptions } from '../../config/load.js';
import type { Kubeconfig } from '../../config/kubeconfig-shape.js';
import { UsageError } from '../../core/errors.js';
import { detectRuntime } from './runtime-tls.js';

export type { ConfigOptions };

interface FileRuntimes {
  Deno?: { readTextFile(path: string): Promise<string>; env: { get(name: string): string | undefined } };
  Bun?: { file(path: string): { text(): Promise<string> }; env: Record<string, string | undefined> };
}

async function readWithRuntime(path: string | undefined): Promise<string | undefined> {
  const g = globalThis as FileRuntimes;
  const p = path ?? g.Deno?.env.get('KUBECONFIG') ?? g.Bun?.env.KUBECONFIG;
  if (!p) return undefined;
  if (p.includes(':')) throw new UsageError(`KUBECONFIG lists several files (${p.split(':').length}); the portable build reads one: pass kubeconfig: '<one path>' or kubeconfigYaml`);
  if (g.Deno) return g.Deno.readTextFile(p);
  if (g.Bun) return g.Bun.file(p).text();
  return undefined;
}

export async function loadClusterConfig(options: ConfigOptions = {}): Promise<ClusterConfig> {
  const k = options.kubeconfig;
  if (k instanceof ClusterConfig) return k;
  // Imported here, not above: the kubeconfig reader brings a YAML parser, which a page given a
  // ready config (serverConfig) does not need, and a splitting bundler then keeps it apart.
  const { kubeconfigConfig } = await import('./portable-kubeconfig.js');
  const pick = { ...(options.context !== undefined ? { context: options.context } : {}), ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) };
  if (options.kubeconfigYaml !== undefined) return kubeconfigConfig({ kubeconfig: options.kubeconfigYaml, ...pick });
  if (k !== undefined && typeof k === 'object' && !Array.isArray(k)) return kubeconfigConfig({ kubeconfig: k as Kubeconfig, ...pick });
  if (Array.isArray(k)) throw new UsageError('the portable build reads one kubeconfig, not a list: pass kubeconfig: "<path>" (Deno, Bun) or kubeconfigYaml');
  const runtime = detectRuntime();
  const text = runtime === 'deno' || runtime === 'bun' ? await readWithRuntime(k as string | undefined) : undefined;
  if (text !== undefined) return kubeconfigConfig({ kubeconfig: text, ...pick });
  throw new UsageError(runtime === 'browser' || runtime === 'worker'
    ? `a ${runtime} cannot read kubeconfig files or run in-cluster discovery: serve the page through \`kubectl proxy --www=<dir>\` and use new Kube(serverConfig({ server: location.origin })), or pass serverConfig({ server, token }) for an API server started with --cors-allowed-origins`
    : 'no kubeconfig: set KUBECONFIG, pass kubeconfig: "<path>" or kubeconfigYaml, or build a config with serverConfig({ server, token })');
}
