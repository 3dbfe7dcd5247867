/**
 * A kubeconfig user turned into what goes on the wire: impersonation headers and a
 * credential provider. The checks follow kubectl's (clientcmd's validateAuthInfo) for every
 * server; what only matters once credentials are sent — PEM contents, exec apiVersions,
 * supported auth-providers, header-safe tokens — is checked only for https:// servers,
 * because clientcmd sends no credentials to an http:// server at all.
 */
import { ConfigError } from '../core/errors.js';
import type { Impersonation } from './cluster-config.js';
import { BasicAuthCredentials, type CredentialProvider, NoCredentials, StaticTokenCredentials, TokenFileCredentials } from './credentials.js';
import { ExecCredentials, type ExecCredentialOptions } from './exec-credential.js';
import { checkHeaderValue, checkNoControl } from './header-values.js';
import type { KubeconfigCluster, KubeconfigUser } from './kubeconfig.js';
import { OidcCredentials, type OidcOptions } from './oidc.js';
import { entryPath, pemFrom, type Where } from './pem-source.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Validates the impersonation fields and returns the headers' contents (sent to http:// servers too, as kubectl does). */
export function impersonation(u: KubeconfigUser, userName: string, where: Where): Impersonation | undefined {
  const field = (f: string): string => `${entryPath('users', userName)}.${f}`;
  const groups = u['as-groups'] ?? [];
  const extra = u['as-user-extra'] ?? {};
  if (!u.as && (u['as-uid'] || groups.length > 0 || Object.keys(extra).length > 0)) {
    throw new ConfigError('as-uid, as-groups or as-user-extra is set without as (the user to impersonate)', 'InvalidField', {
      ...where, field: field('as'), fix: 'set as: USER, or remove the other impersonation fields',
    });
  }
  checkHeaderValue(u.as, field('as'), where);
  checkHeaderValue(u['as-uid'], field('as-uid'), where);
  groups.forEach((g, i) => checkHeaderValue(g, field(`as-groups[${i}]`), where));
  for (const [k, vs] of Object.entries(extra)) {
    // The key becomes part of a header name (percent-encoded); a lone surrogate cannot be encoded.
    if (LONE_SURROGATE.test(k)) throw new ConfigError(`as-user-extra has a key that is not valid Unicode`, 'InvalidField', { ...where, field: field('as-user-extra') });
    vs.forEach((v, i) => checkHeaderValue(v, field(`as-user-extra.${k}[${i}]`), where));
  }
  const imp: Impersonation = {
    ...(u.as ? { user: u.as } : {}),
    ...(u['as-uid'] ? { uid: u['as-uid'] } : {}),
    ...(groups.length ? { groups } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
  return Object.keys(imp).length === 0 ? undefined : imp;
}

/** kubectl's own checks of a selected user, whatever the server's scheme. */
export function checkUserAsKubectl(u: KubeconfigUser, userName: string, where: Where): void {
  const field = (f: string): string => `${entryPath('users', userName)}.${f}`;
  if (u.token && (u.username || u.password)) {
    throw new ConfigError('more than one authentication method is set (token, basic)', 'InvalidField', {
      ...where, field: field('token'), fix: 'keep one of token/tokenFile, username/password, exec, auth-provider',
    });
  }
  if (u.exec && u['auth-provider']) {
    throw new ConfigError('more than one authentication method is set (exec, auth-provider)', 'InvalidField', {
      ...where, field: field('exec'), fix: 'keep one of token/tokenFile, username/password, exec, auth-provider',
    });
  }
  if ((u['client-certificate'] || u['client-certificate-data']) && !u['client-key'] && !u['client-key-data']) {
    throw new ConfigError('client certificate is set without a key', 'InvalidField', {
      ...where, field: field('client-key'), fix: 'set both client-certificate(-data) and client-key(-data)',
    });
  }
  if (u['client-key'] && u['client-key-data']) {
    throw new ConfigError('both client-key and client-key-data are set', 'InvalidField', { ...where, field: field('client-key'), fix: 'keep only one of client-key / client-key-data' });
  }
  const exec = u.exec;
  if (exec) {
    if (!exec.command) throw new ConfigError('exec plugin has no command', 'InvalidField', { ...where, field: field('exec.command'), fix: 'set the plugin command (e.g. aws, gke-gcloud-auth-plugin, kubelogin)' });
    if (!exec.apiVersion) throw new ConfigError('exec plugin has no apiVersion', 'InvalidField', { ...where, field: field('exec.apiVersion'), fix: 'set apiVersion: client.authentication.k8s.io/v1' });
    // kubectl defaults interactiveMode for the beta (and removed alpha) versions only.
    if (!exec.interactiveMode && !/\/v1(alpha|beta)1$/.test(exec.apiVersion)) {
      throw new ConfigError('exec plugin must set interactiveMode', 'InvalidField', { ...where, field: field('exec.interactiveMode'), fix: 'set interactiveMode: Never (or IfAvailable / Always)' });
    }
  }
  for (const e of u.exec?.env ?? []) {
    if (!e.name) throw new ConfigError('an exec env entry has no name', 'InvalidField', { ...where, field: field('exec.env'), fix: 'give every env entry a name' });
  }
}

/** Picks the credential provider for an https:// server (see the module comment for http://). */
export async function credentialsFor(
  u: KubeconfigUser, userName: string, where: Where, cluster: KubeconfigCluster, caPem: string | undefined,
  selection: { readonly exec?: Pick<ExecCredentialOptions, 'timeoutMs' | 'stdinIsTerminal' | 'env'>; readonly oidc?: OidcOptions },
): Promise<CredentialProvider> {
  const field = (f: string): string => `${entryPath('users', userName)}.${f}`;
  const methods = [u.token || u.tokenFile ? 'token' : '', u.username || u.password ? 'basic' : '', u.exec ? 'exec' : '', u['auth-provider'] ? 'auth-provider' : ''].filter(Boolean);
  if (methods.length > 1) {
    throw new ConfigError(`more than one authentication method is set (${methods.join(', ')})`, 'InvalidField', {
      ...where, field: field(methods[0] ?? 'token'), fix: 'keep one of token/tokenFile, username/password, exec, auth-provider',
    });
  }
  if (u.token) {
    checkHeaderValue(u.token.trim(), field('token'), where);
    return new StaticTokenCredentials(u.token);
  }
  if (u.tokenFile) {
    const provider = new TokenFileCredentials(u.tokenFile, { file: where.file, field: field('tokenFile') });
    // kubectl reads the token file when it loads the config; a missing one is a config error now, not a request error later.
    await provider.get(where.signal);
    return provider;
  }
  if (u.username || u.password) {
    checkNoControl(u.username, field('username'), where);
    checkNoControl(u.password, field('password'), where);
    return new BasicAuthCredentials(u.username ?? '', u.password ?? '');
  }
  if (u.exec) {
    return new ExecCredentials(u.exec, {
      ...selection.exec, user: userName, file: where.file,
      cluster: {
        server: cluster.server ?? '',
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
    checkHeaderValue(c['id-token'], field('auth-provider.config.id-token'), where);
    const idpCa = await pemFrom(where, field('auth-provider.config.idp-certificate-authority'), c['idp-certificate-authority'], c['idp-certificate-authority-data'], 'certificate authority');
    return new OidcCredentials({ ...c, ...(idpCa ? { caPem: idpCa } : {}) }, selection.oidc);
  }
  return new NoCredentials();
}
