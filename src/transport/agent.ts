/**
 * One keep-alive undici dispatcher per cluster (and per client certificate), with TLS
 * settings from the kubeconfig and an optional proxy.
 */
import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent, Socks5ProxyAgent } from 'undici';
import type { ClientCertificate } from '../config/credentials.js';
import type { TlsOptions } from '../config/cluster-config.js';
import { repeatedHeadersInterceptor } from './repeated-headers.js';

export interface AgentOptions {
  readonly tls: TlsOptions;
  readonly clientCertificate?: ClientCertificate | undefined;
  readonly proxyUrl?: string | undefined;
  /** TCP+TLS connect timeout; default 30 s. */
  readonly connectTimeoutMs?: number;
  /** How long an idle keep-alive socket is kept; default 60 s. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Environment for HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case), used like kubectl
   * does when the kubeconfig has no proxy-url. Defaults to process.env.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function proxyFromEnv(env: Readonly<Record<string, string | undefined>>): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined {
  const pick = (name: string): string | undefined => env[name.toLowerCase()] || env[name] || undefined;
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY');
  if (!httpProxy && !httpsProxy) return undefined;
  const noProxy = pick('NO_PROXY');
  return { ...(httpProxy ? { httpProxy } : {}), ...(httpsProxy ? { httpsProxy } : {}), ...(noProxy ? { noProxy } : {}) };
}

export function createDispatcher(options: AgentOptions): Dispatcher {
  const connect = {
    ...(options.tls.ca ? { ca: options.tls.ca } : {}),
    ...(options.tls.serverName ? { servername: options.tls.serverName } : {}),
    ...(options.clientCertificate ? { cert: options.clientCertificate.cert, key: options.clientCertificate.key } : {}),
    rejectUnauthorized: !options.tls.insecureSkipTlsVerify,
    timeout: options.connectTimeoutMs ?? 30_000,
  };
  const common = {
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 60_000,
    // Watches stream for a long time: never let undici cut a quiet body or slow headers short.
    bodyTimeout: 0,
    headersTimeout: 0,
  };
  if (options.proxyUrl) {
    const scheme = new URL(options.proxyUrl).protocol;
    if (scheme === 'socks5:') {
      // undici's SOCKS agent reads the target's TLS settings from `requestTls` (not in its typings).
      const socksOptions: Socks5ProxyAgent.Options & { requestTls: typeof connect } = { ...common, requestTls: connect };
      return new Socks5ProxyAgent(options.proxyUrl, socksOptions).compose(repeatedHeadersInterceptor);
    }
    return new ProxyAgent({ uri: options.proxyUrl, requestTls: connect, ...common }).compose(repeatedHeadersInterceptor);
  }
  const fromEnv = proxyFromEnv(options.env ?? process.env);
  if (fromEnv) {
    // No proxy-url: honour the environment like kubectl (NO_PROXY hosts go direct with `connect`).
    return new EnvHttpProxyAgent({ ...common, connect, requestTls: connect, ...fromEnv }).compose(repeatedHeadersInterceptor);
  }
  return new Agent({ ...common, connect }).compose(repeatedHeadersInterceptor);
}
