/**
 * Turns a (merged) kubeconfig and a context choice into a {@link ClusterConfig} the way
 * clientcmd does: names are plain keys (the empty name included), the selected user and
 * cluster get kubectl's checks, and an http:// server gets no credentials and no TLS
 * settings at all — clientcmd resolves user authentication only for https. Where we
 * deliberately differ (a context naming a missing cluster or user is an error here, a silent
 * fallback for kubectl), the README says so.
 */
import { ConfigError } from '../core/errors.js';
import { ClusterConfig } from './cluster-config.js';
import { type ClientCertificate, type CredentialProvider, NoCredentials } from './credentials.js';
import type { ExecCredentialOptions } from './exec-credential.js';
import { headerValueProblem } from './header-values.js';
import type { KubeconfigUser, LoadedKubeconfig } from './kubeconfig.js';
import type { OidcOptions } from './oidc.js';
import { entryPath, pemFrom, type Where } from './pem-source.js';
import { checkUserAsKubectl, credentialsFor, impersonation } from './user-auth.js';

/** Which context (or which cluster/user overrides) to use, like kubectl's --context/--cluster/--user/-n. */
export interface ContextSelection {
  readonly context?: string;
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string;
  /** Options for exec credential plugins (timeout, terminal detection). */
  readonly exec?: Pick<ExecCredentialOptions, 'timeoutMs' | 'stdinIsTerminal' | 'env'>;
  readonly oidc?: OidcOptions;
  readonly signal?: AbortSignal;
}

// A URL's user:password@ part never reaches a message.
function shownServer(server: string): string {
  const cut = server.length > 200 ? `${server.slice(0, 200)}…` : server;
  return JSON.stringify(cut.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1…@'));
}

function checkServer(server: string | null | undefined, where: Where, clusterName: string): URL {
  const field = `${entryPath('clusters', clusterName)}.server`;
  if (!server) {
    throw new ConfigError(`cluster ${JSON.stringify(clusterName)} has no server`, 'InvalidField', { ...where, field, fix: 'set server: https://HOST:PORT' });
  }
  // The URL parser silently drops tabs and line breaks; a server that has them is a paste error.
  const problem = headerValueProblem(server);
  if (problem) throw new ConfigError(`server ${problem}`, 'InvalidField', { ...where, field, fix: 'remove the line break or control character from the server URL' });
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(`server ${shownServer(server)} is not a URL`, 'InvalidField', { ...where, field, fix: 'use a URL such as https://127.0.0.1:6443' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`server ${shownServer(server)} must use https (or http)`, 'InvalidField', { ...where, field });
  }
  return url;
}

function checkProxy(proxy: string | null | undefined, where: Where, clusterName: string): string | undefined {
  if (!proxy) return undefined;
  const field = `${entryPath('clusters', clusterName)}.proxy-url`;
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new ConfigError('proxy-url is not a URL', 'InvalidField', { ...where, field });
  }
  if (!['http:', 'https:', 'socks5:'].includes(url.protocol)) {
    throw new ConfigError(`proxy-url scheme ${url.protocol} is not supported`, 'InvalidField', { ...where, field, fix: 'use an http://, https:// or socks5:// proxy' });
  }
  return proxy;
}

interface Picked {
  readonly contextName: string | undefined;
  readonly clusterName: string;
  readonly userName: string;
  readonly namespace: string | undefined;
  readonly where: Where;
}

// clientcmd's lookups: the selected (or current) context, then its cluster and user by name.
function pick(loaded: LoadedKubeconfig, selection: ContextSelection): Picked {
  const contextName = selection.context || loaded.currentContext || '';
  const signal = selection.signal;
  const ctx = loaded.contexts.get(contextName);
  const names = [...loaded.contexts.keys()].filter((n) => n !== '');
  if (!ctx && contextName !== '') {
    throw new ConfigError(`context "${contextName}" does not exist`, 'ContextNotFound', {
      file: loaded.files.join(', ') || undefined,
      fix: names.length ? `use one of: ${names.join(', ')}` : 'add a context (kubectl config set-context)',
    });
  }
  if (!ctx && selection.cluster === undefined) {
    throw new ConfigError('no context selected and current-context is not set', 'ContextNotFound', {
      file: loaded.files.join(', ') || undefined,
      fix: `run kubectl config use-context NAME, or pass { context }${names.length ? ` (contexts: ${names.join(', ')})` : ''}`,
    });
  }
  return {
    contextName: ctx ? contextName : undefined,
    clusterName: selection.cluster ?? ctx?.value.cluster ?? '',
    userName: selection.user ?? ctx?.value.user ?? '',
    namespace: selection.namespace ?? ctx?.value.namespace ?? undefined,
    where: { file: ctx?.file ?? loaded.files[0], context: ctx ? contextName : undefined, signal },
  };
}

/** Resolves the selected context of a loaded kubeconfig into a ready-to-use {@link ClusterConfig}. */
export async function resolveKubeconfig(loaded: LoadedKubeconfig, selection: ContextSelection = {}): Promise<ClusterConfig> {
  const { contextName, clusterName, userName, namespace, where } = pick(loaded, selection);
  const signal = selection.signal;
  const cluster = loaded.clusters.get(clusterName);
  if (!cluster) {
    const known = [...loaded.clusters.keys()].filter((n) => n !== '').join(', ') || 'none';
    throw new ConfigError(clusterName === '' ? 'the context names no cluster' : `cluster "${clusterName}" does not exist`, 'ClusterNotFound', {
      ...where, field: 'contexts[].context.cluster', fix: `add the cluster or fix the context (clusters: ${known})`,
    });
  }
  let user: KubeconfigUser = {};
  let userWhere = where;
  const found = loaded.users.get(userName);
  if (found) {
    user = found.value;
    userWhere = { file: found.file, context: where.context, signal };
  } else if (userName !== '') {
    throw new ConfigError(`user "${userName}" does not exist`, 'UserNotFound', {
      ...where, field: 'contexts[].context.user', fix: `add the user or fix the context (users: ${[...loaded.users.keys()].filter((n) => n !== '').join(', ') || 'none'})`,
    });
  }
  const c = cluster.value;
  const clusterWhere: Where = { file: cluster.file, context: where.context, signal };
  const url = checkServer(c.server, clusterWhere, clusterName);
  const proxyUrl = checkProxy(c['proxy-url'], clusterWhere, clusterName);
  // clientcmd builds TLS and user authentication only for https; for http it still validates
  // the selected entries (files must be readable, no contradictory fields) but parses nothing.
  const secure = url.protocol === 'https:';
  checkUserAsKubectl(user, userName, userWhere);
  const imp = impersonation(user, userName, userWhere);
  const caField = `${entryPath('clusters', clusterName)}.certificate-authority`;
  const ca = await pemFrom(clusterWhere, caField, c['certificate-authority'], c['certificate-authority-data'], 'certificate authority', secure);
  const insecure = secure && c['insecure-skip-tls-verify'] === true;
  if (insecure && ca) {
    throw new ConfigError('insecure-skip-tls-verify is set together with a certificate authority', 'InvalidField', {
      ...clusterWhere, field: `${entryPath('clusters', clusterName)}.insecure-skip-tls-verify`, fix: 'remove one: verifying against the CA is the safe choice',
    });
  }
  const certField = `${entryPath('users', userName)}.client-certificate`;
  const keyField = `${entryPath('users', userName)}.client-key`;
  const cert = await pemFrom(userWhere, certField, user['client-certificate'], user['client-certificate-data'], 'client certificate', secure);
  const key = await pemFrom(userWhere, keyField, user['client-key'], user['client-key-data'], 'client key', secure);
  if (secure && (cert === undefined) !== (key === undefined)) {
    throw new ConfigError(`client ${cert ? 'certificate is set without a key' : 'key is set without a certificate'}`, 'InvalidField', {
      ...userWhere, field: cert ? keyField : certField, fix: 'set both client-certificate(-data) and client-key(-data)',
    });
  }
  const clientCertificate: ClientCertificate | undefined = cert !== undefined && key !== undefined ? { cert, key } : undefined;
  const credentials: CredentialProvider = secure ? await credentialsFor(user, userName, userWhere, c, ca, selection) : new NoCredentials();
  return new ClusterConfig({
    server: c.server ?? '',
    namespace: namespace && namespace !== '' ? namespace : 'default',
    ...(contextName ? { context: contextName } : {}),
    cluster: clusterName,
    ...(userName ? { user: userName } : {}),
    tls: {
      insecureSkipTlsVerify: insecure,
      ...(ca ? { ca } : {}),
      ...(secure && c['tls-server-name'] ? { serverName: c['tls-server-name'] } : {}),
    },
    ...(clientCertificate ? { clientCertificate } : {}),
    credentials,
    ...(imp ? { impersonate: imp } : {}),
    ...(proxyUrl ? { proxyUrl } : {}),
    ...(c['disable-compression'] ? { disableCompression: true } : {}),
    source: 'kubeconfig',
    files: loaded.files,
  });
}
