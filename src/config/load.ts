/**
 * The one call that finds a cluster the way kubectl would: an explicit kubeconfig, else
 * $KUBECONFIG / ~/.kube/config, else the in-cluster service account.
 */
import { access } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import { ClusterConfig } from './cluster-config.js';
import { inClusterConfig, isInCluster, type InClusterOptions } from './in-cluster.js';
import { type Kubeconfig, kubeconfigFiles, loadKubeconfig } from './kubeconfig.js';
import { type ContextSelection, resolveKubeconfig } from './resolve.js';

export interface ConfigOptions extends ContextSelection {
  /**
   * A kubeconfig path (or paths, merged), a parsed kubeconfig object, YAML text via
   * `kubeconfigYaml`, or a ready {@link ClusterConfig}.
   */
  readonly kubeconfig?: string | readonly string[] | Kubeconfig | ClusterConfig;
  readonly kubeconfigYaml?: string;
  /** true forces in-cluster config; false never falls back to it. */
  readonly inCluster?: boolean | InClusterOptions;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Loads the cluster configuration as kubectl would (see {@link ConfigOptions}). */
export async function loadClusterConfig(options: ConfigOptions = {}): Promise<ClusterConfig> {
  const env = options.env ?? process.env;
  const inClusterOpts: InClusterOptions = {
    env, ...(typeof options.inCluster === 'object' ? options.inCluster : {}), ...(options.namespace ? { namespace: options.namespace } : {}), ...(options.signal ? { signal: options.signal } : {}),
  };
  if (options.kubeconfig instanceof ClusterConfig) {
    return options.namespace ? options.kubeconfig.withNamespace(options.namespace) : options.kubeconfig;
  }
  if (options.inCluster === true || typeof options.inCluster === 'object') return inClusterConfig(inClusterOpts);
  if (options.kubeconfigYaml !== undefined) {
    return resolveKubeconfig(await loadKubeconfig({ config: options.kubeconfigYaml }), options);
  }
  if (options.kubeconfig !== undefined) {
    const k = options.kubeconfig;
    const loaded = typeof k === 'string' || Array.isArray(k)
      ? await loadKubeconfig({ path: k as string | readonly string[], ...(options.signal ? { signal: options.signal } : {}) })
      : await loadKubeconfig({ config: k as Kubeconfig });
    return resolveKubeconfig(loaded, options);
  }
  const { files } = kubeconfigFiles({ env, ...(options.homeDir ? { homeDir: options.homeDir } : {}) });
  const anyExists = (await Promise.all(files.map(exists))).some(Boolean);
  if (!anyExists && options.inCluster !== false && isInCluster(env)) return inClusterConfig(inClusterOpts);
  if (!anyExists) {
    throw new ConfigError(`no kubeconfig found (looked at ${files.join(', ')}) and not running in a cluster`, 'NoConfig', {
      fix: 'set $KUBECONFIG, create ~/.kube/config, or pass { kubeconfig: path }',
    });
  }
  return resolveKubeconfig(await loadKubeconfig({ env, ...(options.homeDir ? { homeDir: options.homeDir } : {}), ...(options.signal ? { signal: options.signal } : {}) }), options);
}
