/**
 * In-cluster configuration: the service account token (re-read as the kubelet rotates
 * it), the cluster CA and the pod's namespace, plus KUBERNETES_SERVICE_HOST/PORT.
 */
import { join } from 'node:path';
import { AbortedError, ConfigError } from '../core/errors.js';
import { ClusterConfig } from './cluster-config.js';
import { TokenFileCredentials } from './credentials.js';
import { FILE_LIMITS, type LocalFileProblem, readLocalFile } from './local-file.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Options of the in-cluster configuration (a pod's ServiceAccount). */
export interface InClusterOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory holding token, ca.crt and namespace; defaults to `SERVICE_ACCOUNT_DIR` (/var/run/secrets/kubernetes.io/serviceaccount). */
  readonly serviceAccountDir?: string;
  /** Overrides the namespace file. */
  readonly namespace?: string;
  /** How often the token file is checked for a new token; default 60 s (and after every 401). */
  readonly tokenRecheckMs?: number;
  readonly signal?: AbortSignal;
}

/** True when the environment looks like a pod (KUBERNETES_SERVICE_HOST and _PORT are set). */
export function isInCluster(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT;
}

/** Builds the config a pod uses to reach its own cluster. */
export async function inClusterConfig(options: InClusterOptions = {}): Promise<ClusterConfig> {
  const env = options.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new ConfigError('not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set', 'NoConfig', {
      fix: 'run inside a pod, or use a kubeconfig',
    });
  }
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const read = async (name: string, required: boolean): Promise<string | undefined> => {
    try {
      return await readLocalFile(join(dir, name), name === 'ca.crt' ? FILE_LIMITS.pem : FILE_LIMITS.token, options.signal);
    } catch (cause) {
      if (options.signal?.aborted) throw new AbortedError(`reading ${join(dir, name)}`, options.signal.reason);
      if (!required) return undefined;
      throw new ConfigError(`the service account ${name} file ${(cause as LocalFileProblem).what}`, 'FileUnreadable', {
        file: join(dir, name), fix: 'mount a service account token into the pod (automountServiceAccountToken: true)', cause,
      });
    }
  };
  const ca = await read('ca.crt', true);
  await read('token', true);
  const namespace = options.namespace ?? (await read('namespace', false))?.trim();
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return new ClusterConfig({
    server: `https://${h}:${port}`,
    ...(namespace ? { namespace } : {}),
    tls: { insecureSkipTlsVerify: false, ...(ca ? { ca } : {}) },
    credentials: new TokenFileCredentials(join(dir, 'token'), options.tokenRecheckMs !== undefined ? { recheckMs: options.tokenRecheckMs } : {}),
    source: 'in-cluster',
  });
}
