/**
 * kubeconfigConfig of the portable builds (see portable-config.ts): a ClusterConfig from a
 * kubeconfig's text or object, inline data only. Apart from portable-config.ts because it
 * brings a YAML parser, which a page given serverConfig() does not load.
 */
import { parse as parseYaml } from 'yaml';
import { ClusterConfig } from '../../config/cluster-config.js';
import { checkKubeconfig, type Kubeconfig, ShapeIssue } from '../../config/kubeconfig-shape.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import type { PortableKubeconfigOptions } from './portable-config.js';
import { Anonymous, BearerToken } from './portable-credentials.js';

function b64text(data: string, field: string, file: string | undefined): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(data.replace(/\s+/g, '')), (c) => c.charCodeAt(0)));
  } catch {
    throw new ConfigError(`${field} is not valid base64`, 'InvalidField', { file, field, fix: `put the base64 of the PEM in ${field}` });
  }
}

const noFiles = (field: string, instead: string): UsageError =>
  new UsageError(`${field} names a file, which this build cannot read: ${instead}`);

/** A ClusterConfig from a kubeconfig's text or object, inline data only (see the file comment). */
export function kubeconfigConfig(options: PortableKubeconfigOptions): ClusterConfig {
  let raw: unknown = options.kubeconfig;
  if (typeof raw === 'string') {
    try {
      raw = parseYaml(raw);
    } catch (e) {
      throw new ConfigError(`the kubeconfig is not valid YAML: ${(e as Error).message.split('\n')[0]}`, 'InvalidYaml', { fix: 'pass the kubeconfig file text as it is' });
    }
  }
  let kc: Kubeconfig;
  try {
    kc = checkKubeconfig(raw);
  } catch (e) {
    if (e instanceof ShapeIssue) throw new ConfigError(`kubeconfig ${e.path || 'document'}: ${e.message}`, 'InvalidField', { field: e.path, fix: 'fix the field in the kubeconfig' });
    throw e;
  }
  const contextName = options.context ?? kc['current-context'] ?? undefined;
  if (!contextName) throw new ConfigError('the kubeconfig has no current-context', 'NoContext', { fix: 'pass context: or set current-context' });
  const ctx = kc.contexts?.find((c) => (c.name ?? '') === contextName)?.context;
  if (!ctx) throw new ConfigError(`context "${contextName}" is not in the kubeconfig`, 'ContextNotFound', { field: 'contexts', fix: `use one of: ${(kc.contexts ?? []).map((c) => c.name ?? '').join(', ')}` });
  const cluster = kc.clusters?.find((c) => (c.name ?? '') === (ctx.cluster ?? ''))?.cluster;
  if (!cluster?.server) throw new ConfigError(`cluster "${ctx.cluster ?? ''}" of context "${contextName}" has no server`, 'InvalidField', { field: 'clusters[].cluster.server', fix: 'set the cluster server URL' });
  const user = kc.users?.find((u) => (u.name ?? '') === (ctx.user ?? ''))?.user ?? {};
  const data = 'read the file with your runtime (Deno.readTextFile, Bun.file) and put its base64 in the matching *-data field, or pass serverConfig({ server, token, ca })';
  if (cluster['certificate-authority']) throw noFiles('certificate-authority', data);
  if (user['client-certificate'] || user['client-key']) throw noFiles('client-certificate/client-key', data);
  if (user.tokenFile) throw noFiles('tokenFile', 'read the token yourself and pass serverConfig({ server, token })');
  if (user.exec) throw new UsageError(`user "${ctx.user ?? ''}" gets credentials from an exec plugin (${user.exec.command}), which cannot run in this build: run the plugin outside and pass its token (serverConfig({ server, token })), or reach the API server through \`kubectl proxy\``);
  if (user['auth-provider']) throw new UsageError(`user "${ctx.user ?? ''}" uses the auth-provider "${user['auth-provider'].name}", which this build cannot run: pass a token (serverConfig({ server, token })) or reach the API server through \`kubectl proxy\``);
  if (user.username || user.password) throw new UsageError('basic auth (username/password) is not supported by this build; the API server removed it in 1.19: use a token');
  const certData = user['client-certificate-data'];
  const keyData = user['client-key-data'];
  if ((certData === undefined || certData === null) !== (keyData === undefined || keyData === null)) {
    throw new ConfigError('client-certificate-data and client-key-data go together', 'InvalidField', { field: certData ? 'client-key-data' : 'client-certificate-data', fix: 'give both or neither' });
  }
  const caData = cluster['certificate-authority-data'];
  const impersonate = user.as || user['as-groups']?.length || user['as-uid']
    ? { ...(user.as ? { user: user.as } : {}), ...(user['as-uid'] ? { uid: user['as-uid'] } : {}), ...(user['as-groups'] ? { groups: user['as-groups'] } : {}), ...(user['as-user-extra'] ? { extra: user['as-user-extra'] } : {}) }
    : undefined;
  return new ClusterConfig({
    server: cluster.server, context: contextName, source: 'kubeconfig',
    ...(ctx.cluster ? { cluster: ctx.cluster } : {}), ...(ctx.user ? { user: ctx.user } : {}),
    namespace: options.namespace ?? ctx.namespace ?? 'default',
    credentials: user.token ? new BearerToken(user.token) : new Anonymous(),
    tls: {
      ...(caData ? { ca: b64text(caData, 'certificate-authority-data', undefined) } : {}),
      ...(cluster['tls-server-name'] ? { serverName: cluster['tls-server-name'] } : {}),
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    },
    ...(certData && keyData ? { clientCertificate: { cert: b64text(certData, 'client-certificate-data', undefined), key: b64text(keyData, 'client-key-data', undefined) } } : {}),
    ...(impersonate ? { impersonate } : {}),
    ...(cluster['disable-compression'] ? { disableCompression: true } : {}),
  });
}
