/**
 * The resolved connection for one cluster: what the transport needs, with secrets kept
 * out of enumeration so printing a config never shows a key.
 */
import type { TlsOptions } from '../net/tls.js';
import type { ClientCertificate, CredentialProvider } from './credentials.js';

export type { TlsOptions };

/** Impersonation headers (kubeconfig as, as-uid, as-groups, as-user-extra). */
export interface Impersonation {
  readonly user?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** What a ClusterConfig is made from: server, TLS settings and credentials. */
export interface ClusterConfigInit {
  readonly server: string;
  readonly namespace?: string;
  readonly context?: string;
  readonly cluster?: string;
  readonly user?: string;
  readonly tls?: Partial<TlsOptions>;
  readonly clientCertificate?: ClientCertificate;
  readonly credentials: CredentialProvider;
  readonly impersonate?: Impersonation;
  readonly proxyUrl?: string;
  /** kubeconfig `disable-compression`: ask the server for uncompressed responses. */
  readonly disableCompression?: boolean;
  readonly source?: 'kubeconfig' | 'in-cluster' | 'explicit';
  /** Files this config came from, for messages. */
  readonly files?: readonly string[];
}

/** Everything needed to talk to one cluster as one user. */
export class ClusterConfig {
  readonly server: string;
  /** The namespace `namespace()` uses when called without one. */
  readonly namespace: string;
  readonly context: string | undefined;
  readonly cluster: string | undefined;
  readonly user: string | undefined;
  readonly tls: TlsOptions;
  readonly credentials: CredentialProvider;
  readonly impersonate: Impersonation | undefined;
  readonly proxyUrl: string | undefined;
  readonly disableCompression: boolean;
  readonly source: 'kubeconfig' | 'in-cluster' | 'explicit';
  readonly files: readonly string[];
  readonly #clientCertificate: ClientCertificate | undefined;

  constructor(init: ClusterConfigInit) {
    this.server = init.server.replace(/\/+$/, '');
    this.namespace = init.namespace ?? 'default';
    this.context = init.context;
    this.cluster = init.cluster;
    this.user = init.user;
    this.tls = { insecureSkipTlsVerify: false, ...init.tls };
    this.credentials = init.credentials;
    this.impersonate = init.impersonate;
    this.proxyUrl = init.proxyUrl;
    this.disableCompression = init.disableCompression ?? false;
    this.source = init.source ?? 'explicit';
    this.files = init.files ?? [];
    this.#clientCertificate = init.clientCertificate;
  }

  /** The static client certificate from the kubeconfig (exec plugins may supply another per request). */
  get clientCertificate(): ClientCertificate | undefined {
    return this.#clientCertificate;
  }

  /** A copy with a different default namespace. */
  withNamespace(namespace: string): ClusterConfig {
    return new ClusterConfig({ ...this.#init(), namespace });
  }

  #init(): ClusterConfigInit {
    return {
      server: this.server, namespace: this.namespace, tls: this.tls, credentials: this.credentials, source: this.source, files: this.files,
      disableCompression: this.disableCompression,
      ...(this.context !== undefined ? { context: this.context } : {}),
      ...(this.cluster !== undefined ? { cluster: this.cluster } : {}),
      ...(this.user !== undefined ? { user: this.user } : {}),
      ...(this.#clientCertificate !== undefined ? { clientCertificate: this.#clientCertificate } : {}),
      ...(this.impersonate !== undefined ? { impersonate: this.impersonate } : {}),
      ...(this.proxyUrl !== undefined ? { proxyUrl: this.proxyUrl } : {}),
    };
  }

  /** Secrets in play now (token, key), for scrubbing; never log this. */
  secrets(): string[] {
    return [...(this.credentials.secrets?.() ?? []), ...(this.#clientCertificate ? [this.#clientCertificate.key] : [])];
  }
}
