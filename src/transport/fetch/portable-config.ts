/**
 * Cluster configuration where there are no files to read and no processes to run (a page,
 * a worker) or where the build must not import node: (Deno, Bun): from a server URL and a
 * token, or from a kubeconfig given as text or as an object (the caller reads it with its
 * runtime: `Deno.readTextFile`, `Bun.file(...).text()`, a `fetch`). Inline data only:
 * whatever needs a file or a process (certificate-authority paths, tokenFile, exec, an
 * auth-provider) fails with a UsageError saying what to give instead. The kubeconfig reader,
 * kubeconfigConfig, is portable-kubeconfig.ts: it brings a YAML parser, which serverConfig does not need.
 */
import { ClusterConfig } from '../../config/cluster-config.js';
import type { ClientCertificate } from '../../config/credentials.js';
import type { Kubeconfig } from '../../config/kubeconfig-shape.js';
import { UsageError } from '../../core/errors.js';
import { Anonymous, BearerToken } from './portable-credentials.js';

export { BearerToken };

export interface PortableServerOptions {
  /** The API server (or `kubectl proxy`) URL; in a page served by `kubectl proxy --www`, `location.origin`. */
  readonly server: string;
  readonly token?: string;
  readonly namespace?: string;
  /** PEM of the cluster's CA (Deno, Bun; a browser uses its own trust store). */
  readonly ca?: string;
  readonly clientCertificate?: ClientCertificate;
}

export interface PortableKubeconfigOptions {
  /** The kubeconfig, as YAML/JSON text or as a parsed object. */
  readonly kubeconfig: string | Kubeconfig;
  readonly context?: string;
  readonly namespace?: string;
}

/** A ClusterConfig from a server URL (and optionally a token, a CA, a client certificate). */
export function serverConfig(options: PortableServerOptions): ClusterConfig {
  let url: URL;
  try {
    url = new URL(options.server);
  } catch {
    throw new UsageError(`server ${JSON.stringify(options.server.slice(0, 100))} is not a URL; pass e.g. location.origin (a page served by kubectl proxy --www) or https://host:6443`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`server must be an http(s) URL (got ${url.protocol})`);
  return new ClusterConfig({
    server: options.server, credentials: options.token !== undefined ? new BearerToken(options.token) : new Anonymous(),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.ca !== undefined ? { tls: { ca: options.ca } } : {}),
    ...(options.clientCertificate !== undefined ? { clientCertificate: options.clientCertificate } : {}),
  });
}
