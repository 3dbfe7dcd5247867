/** What a connection needs to know about TLS: the kubeconfig's CA, server name and client certificate. */
import type { ConnectionOptions } from 'node:tls';

/** Server certificate checks. */
export interface TlsOptions {
  /** PEM bundle of the cluster's certificate authority; system roots when absent. */
  readonly ca?: string;
  /** Name to verify the server certificate against (kubeconfig tls-server-name). */
  readonly serverName?: string;
  /** Only ever true when the kubeconfig says insecure-skip-tls-verify: true. */
  readonly insecureSkipTlsVerify: boolean;
}

/** A client certificate and key in PEM form. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

/** node:tls options for these settings: verification stays on unless the kubeconfig turned it off. */
export function tlsConnectionOptions(tls: TlsOptions, clientCertificate: ClientCertificate | undefined): ConnectionOptions {
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    ...(clientCertificate ? { cert: clientCertificate.cert, key: clientCertificate.key } : {}),
    rejectUnauthorized: !tls.insecureSkipTlsVerify,
  };
}
