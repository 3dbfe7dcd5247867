/**
 * Turns a (merged) kubeconfig and a context choice into a {@link ClusterConfig}: reads
 * certificate files, checks combinations kubectl rejects, and picks the credential provider.
 */
import { readFile } from 'node:fs/promises';
import { AbortedError, ConfigError } from '../core/errors.js';
import { ClusterConfig, type Impersonation } from './cluster-config.js';
import { BasicAuthCredentials, type ClientCertificate, type CredentialProvider, NoCredentials, StaticTokenCredentials, TokenFileCredentials } from './credentials.js';
import { ExecCredentials, type ExecCredentialOptions } from './exec-credential.js';
import type { KubeconfigCluster, KubeconfigUser, LoadedKubeconfig } from './kubeconfig.js';
import { OidcCredentials, type OidcOptions } from './oidc.js';

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

interface Where {
  readonly file: string | undefined;
  readonly context: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

async function pemFrom(
  where: Where, field: string, filePath: string | null | undefined, data: string | null | undefined, label: string,
): Promise<string | undefined> {
  if (filePath && data) {
    throw new ConfigError(`both ${field} and ${field}-data are set`, 'InvalidField', { ...where, field, fix: `keep only one of ${field} / ${field}-data` });
  }
  if (data) {
    const text = Buffer.from(data, 'base64').toString('utf8');
    if (!text.includes('-----BEGIN')) {
      throw new ConfigError(`${field}-data is not base64-encoded PEM`, 'InvalidField', {
        ...where, field: `${field}-data`, fix: `base64-encode the PEM ${label} (base64 -w0 file.pem)`,
      });
    }
    return text;
  }
  if (filePath) {
    let text: string;
    try {
      text = await readFile(filePath, { encoding: 'utf8', ...(where.signal ? { signal: where.signal } : {}) });
    } catch (cause) {
      if (where.signal?.aborted) throw new AbortedError(`reading ${filePath}`, where.signal.reason);
      const code = (cause as NodeJS.ErrnoException).code;
      throw new ConfigError(`cannot read ${label} file ${filePath} (${code ?? 'error'})`, 'FileUnreadable', {
        ...where, field, fix: code === 'EACCES' ? `make ${filePath} readable by this process` : `check that ${filePath} exists, or use ${field}-data`, cause,
      });
    }
    if (!text.includes('-----BEGIN')) {
      throw new ConfigError(`${filePath} does not contain a PEM ${label}`, 'InvalidField', { ...where, field, fix: `point ${field} at a PEM file` });
    }
    return text;
  }
  return undefined;
}

function checkServer(server: string, where: Where, clusterName: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(`server ${JSON.stringify(server)} is not a URL`, 'InvalidField', {
      ...where, field: `clusters[${clusterName}].server`, fix: 'use a URL such as https://127.0.0.1:6443',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`server ${JSON.stringify(server)} must use https (or http)`, 'InvalidField', { ...where, field: `clusters[${clusterName}].server` });
  }
  return server;
}

function checkProxy(proxy: string | null | undefined, where: Where, clusterName: string): string | undefined {
  if (!proxy) return undefined;
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new ConfigError('proxy-url is not a URL', 'InvalidField', { ...where, field: `clusters[${clusterName}].proxy-url` });
  }
  if (!['http:', 'https:', 'socks5:'].includes(url.protocol)) {
    throw new ConfigError(`proxy-url scheme ${url.protocol} is not supported`, 'InvalidField', {
      ...where, field: `clusters[${clusterName}].proxy-url`, fix: 'use an http://, https:// or socks5:// proxy',
    });
  }
  return proxy;
}

function impersonation(u: KubeconfigUser): Impersonation | undefined {
  const imp: Impersonation = {
    ...(u.as ? { user: u.as } : {}),
    ...(u['as-uid'] ? { uid: u['as-uid'] } : {}),
    ...(u['as-groups']?.length ? { groups: u['as-groups'] } : {}),
    ...(u['as-user-extra'] && Object.keys(u['as-user-extra']).length ? { extra: u['as-user-extra'] } : {}),
  };
  return Object.keys(imp).length === 0 ? undefined : imp;
}

async function credentialsFor(
  u: KubeconfigUser, userName: string, where: Where, cluster: KubeconfigCluster, caPem: string | undefined, selection: ContextSelection,
): Promise<CredentialProvider> {
  const field = (f: string): string => `users[${userName}].${f}`;
  const methods = [u.token || u.tokenFile ? 'token' : '', u.username || u.password ? 'basic' : '', u.exec ? 'exec' : '', u['auth-provider'] ? 'auth-provider' : ''].filter(Boolean);
  if (methods.length > 1) {
    throw new ConfigError(`more than one authentication method is set (${methods.join(', ')})`, 'InvalidField', {
      ...where, field: field(methods[0] ?? 'token'), fix: 'keep one of token/tokenFile, username/password, exec, auth-provider',
    });
  }
  if (u.token) return new StaticTokenCredentials(u.token);
  if (u.tokenFile) return new TokenFileCredentials(u.tokenFile);
  if (u.username || u.password) return new BasicAuthCredentials(u.username ?? '', u.password ?? '');
  if (u.exec) {
    return new ExecCredentials(u.exec, {
      ...selection.exec, user: userName, file: where.file,
      cluster: {
        server: cluster.server,
        ...(caPem ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {}),
        ...(cluster['tls-server-name'] ? { 'tls-server-name': cluster['tls-server-name'] } : {}),
        ...(cluster['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
        ...(cluster['proxy-url'] ? { 'proxy-url': cluster['proxy-url'] } : {}),
      },
    });
  }
  const ap = u['auth-provider'];
  if (ap) {
    if (ap.name !== 'oidc') {
      throw new ConfigError(`auth-provider "${ap.name}" is not supported`, 'Unsupported', {
        ...where, field: field('auth-provider.name'),
        fix: ap.name === 'gcp' || ap.name === 'azure'
          ? `the in-tree ${ap.name} provider was removed from Kubernetes; use the exec plugin (gke-gcloud-auth-plugin / kubelogin)`
          : 'use an exec credential plugin or the oidc auth-provider',
      });
    }
    const c = ap.config ?? {};
    const idpCa = await pemFrom(where, field('auth-provider.config.idp-certificate-authority'), c['idp-certificate-authority'], c['idp-certificate-authority-data'], 'certificate authority');
    return new OidcCredentials({ ...c, ...(idpCa ? { caPem: idpCa } : {}) }, selection.oidc);
  }
  return new NoCredentials();
}

/** Resolves the selected context of a loaded kubeconfig into a ready-to-use {@link ClusterConfig}. */
export async function resolveKubeconfig(loaded: LoadedKubeconfig, selection: ContextSelection = {}): Promise<ClusterConfig> {
  const contextName = selection.context ?? loaded.currentContext;
  const anyFile = loaded.files[0];
  let clusterName = selection.cluster;
  let userName = selection.user;
  let namespace = selection.namespace;
  const signal = selection.signal;
  let where: Where = { file: anyFile, context: contextName, signal };
  if (contextName !== undefined && contextName !== '') {
    const ctx = loaded.contexts.get(contextName);
    if (!ctx) {
      const names = [...loaded.contexts.keys()];
      throw new ConfigError(`context "${contextName}" does not exist`, 'ContextNotFound', {
        file: loaded.files.join(', ') || undefined,
        fix: names.length ? `use one of: ${names.join(', ')}` : 'add a context (kubectl config set-context)',
      });
    }
    where = { file: ctx.file, context: contextName, signal };
    clusterName ??= ctx.value.cluster;
    userName ??= ctx.value.user ?? undefined;
    namespace ??= ctx.value.namespace ?? undefined;
  } else if (clusterName === undefined) {
    throw new ConfigError('no context selected and current-context is not set', 'ContextNotFound', {
      file: loaded.files.join(', ') || undefined,
      fix: `run kubectl config use-context NAME, or pass { context }${loaded.contexts.size ? ` (contexts: ${[...loaded.contexts.keys()].join(', ')})` : ''}`,
    });
  }
  const cluster = loaded.clusters.get(clusterName);
  if (!cluster) {
    throw new ConfigError(`cluster "${clusterName}" does not exist`, 'ClusterNotFound', {
      ...where, field: 'contexts[].context.cluster', fix: `add the cluster or fix the context (clusters: ${[...loaded.clusters.keys()].join(', ') || 'none'})`,
    });
  }
  let user: KubeconfigUser = {};
  let userWhere = where;
  if (userName !== undefined && userName !== '') {
    const u = loaded.users.get(userName);
    if (!u) {
      throw new ConfigError(`user "${userName}" does not exist`, 'UserNotFound', {
        ...where, field: 'contexts[].context.user', fix: `add the user or fix the context (users: ${[...loaded.users.keys()].join(', ') || 'none'})`,
      });
    }
    user = u.value;
    userWhere = { file: u.file, context: where.context, signal };
  }
  const c = cluster.value;
  const clusterWhere: Where = { file: cluster.file, context: where.context, signal };
  const server = checkServer(c.server, clusterWhere, clusterName);
  const caField = `clusters[${clusterName}].certificate-authority`;
  const ca = await pemFrom(clusterWhere, caField, c['certificate-authority'], c['certificate-authority-data'], 'certificate authority');
  const insecure = c['insecure-skip-tls-verify'] === true;
  if (insecure && ca) {
    throw new ConfigError('insecure-skip-tls-verify is set together with a certificate authority', 'InvalidField', {
      ...clusterWhere, field: `clusters[${clusterName}].insecure-skip-tls-verify`, fix: 'remove one: verifying against the CA is the safe choice',
    });
  }
  const uName = userName ?? '';
  const certField = `users[${uName}].client-certificate`;
  const keyField = `users[${uName}].client-key`;
  const cert = await pemFrom(userWhere, certField, user['client-certificate'], user['client-certificate-data'], 'client certificate');
  const key = await pemFrom(userWhere, keyField, user['client-key'], user['client-key-data'], 'client key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(`client ${cert ? 'certificate is set without a key' : 'key is set without a certificate'}`, 'InvalidField', {
      ...userWhere, field: cert ? keyField : certField, fix: 'set both client-certificate(-data) and client-key(-data)',
    });
  }
  const clientCertificate: ClientCertificate | undefined = cert !== undefined && key !== undefined ? { cert, key } : undefined;
  const credentials = await credentialsFor(user, uName, userWhere, c, ca, selection);
  const imp = impersonation(user);
  const proxyUrl = checkProxy(c['proxy-url'], clusterWhere, clusterName);
  return new ClusterConfig({
    server,
    namespace: namespace && namespace !== '' ? namespace : 'default',
    ...(contextName ? { context: contextName } : {}),
    cluster: clusterName,
    ...(userName ? { user: userName } : {}),
    tls: {
      insecureSkipTlsVerify: insecure,
      ...(ca ? { ca } : {}),
      ...(c['tls-server-name'] ? { serverName: c['tls-server-name'] } : {}),
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
