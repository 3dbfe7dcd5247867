/**
 * Credential providers: where the Authorization header (or a client certificate) comes
 * from for each request. Secrets live in private fields so that logging a provider or a
 * resolved config never prints them.
 */
import { stat } from 'node:fs/promises';
import { AbortedError, ConfigError } from '../core/errors.js';
import type { ClientCertificate } from '../net/tls.js';
import { headerValueProblem } from './header-values.js';
import { FILE_LIMITS, LocalFileProblem, readLocalFile } from './local-file.js';

// In a module of its own, without node: imports, so the portable build's BearerToken extends it.
export { StaticTokenCredentials } from './static-token.js';

export type { ClientCertificate };

/** What a provider hands to the transport for one request. */
export interface Credentials {
  /** The full Authorization header value, e.g. `Bearer …`. */
  readonly authorization?: string;
  /** A client certificate that replaces the kubeconfig's (exec plugins may return one). */
  readonly clientCertificate?: ClientCertificate;
}

/** Supplies credentials; implementations cache and refresh as their kind requires. */
export interface CredentialProvider {
  /** 'none', 'token', 'token-file', 'basic', 'exec', 'oidc', or a custom name. */
  readonly kind: string;
  /** The credentials to send now (refreshed when they expire). */
  get(signal?: AbortSignal): Promise<Credentials>;
  /** After a 401: forget cached credentials. Returns true when fetching them again may help. */
  invalidate?(): boolean;
  /** The secret strings currently in use, so the transport can scrub them from anything it emits. */
  secrets?(): readonly string[];
}

/** No Authorization header (client certificates or anonymous). */
export class NoCredentials implements CredentialProvider {
  readonly kind = 'none';
  /** No credentials. */
  async get(): Promise<Credentials> {
    return {};
  }
}

/** HTTP basic auth (removed from the API server in 1.19, kept for old kubeconfigs and proxies). */
export class BasicAuthCredentials implements CredentialProvider {
  readonly kind = 'basic';
  readonly #header: string;
  readonly #password: string;
  constructor(username: string, password: string) {
    this.#header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.#password = password;
  }
  /** The user name and password. */
  async get(): Promise<Credentials> {
    return { authorization: this.#header };
  }
  secrets(): readonly string[] {
    return [this.#password, this.#header.slice(6)];
  }
  /** A description without the secret, for logs. */
  toJSON(): object {
    return { kind: this.kind };
  }
}

/**
 * A bearer token read from a file and re-read as it rotates (projected service-account
 * tokens are rewritten by the kubelet). The file is re-checked at most every `recheckMs`
 * and always after a 401.
 */
export class TokenFileCredentials implements CredentialProvider {
  readonly kind = 'token-file';
  readonly #path: string;
  readonly #recheckMs: number;
  readonly #file: string | undefined;
  readonly #field: string;
  #token: string | undefined;
  #mtimeMs = -1;
  #checkedAt = 0;
  constructor(path: string, options: { recheckMs?: number; file?: string | undefined; field?: string } = {}) {
    this.#path = path;
    this.#recheckMs = options.recheckMs ?? 60_000;
    this.#file = options.file;
    this.#field = options.field ?? 'tokenFile';
  }
  /** The token, re-read from its file when it changes. */
  async get(signal?: AbortSignal): Promise<Credentials> {
    const now = Date.now();
    if (this.#token === undefined || now - this.#checkedAt >= this.#recheckMs) {
      this.#checkedAt = now;
      try {
        const mtimeMs = (await stat(this.#path)).mtimeMs;
        if (this.#token === undefined || mtimeMs !== this.#mtimeMs) {
          const text = (await readLocalFile(this.#path, FILE_LIMITS.token, signal)).trim();
          if (text === '') throw new LocalFileProblem('EMPTY', 'is empty');
          const problem = headerValueProblem(text);
          if (problem !== undefined) throw new LocalFileProblem('EBADTOKEN', `holds a token that ${problem}`);
          this.#token = text;
          this.#mtimeMs = mtimeMs;
        }
      } catch (cause) {
        if (signal?.aborted) throw new AbortedError(`reading ${this.#path}`, signal.reason);
        // A rotation in progress (file briefly missing or empty): keep using the token we have.
        if (this.#token !== undefined) return { authorization: `Bearer ${this.#token}` };
        const p = cause instanceof LocalFileProblem ? cause : new LocalFileProblem((cause as NodeJS.ErrnoException).code ?? 'EIO', 'cannot be read');
        throw new ConfigError(`token file ${this.#path} ${p.what}`, p.code === 'EBADTOKEN' ? 'InvalidField' : 'FileUnreadable', {
          file: this.#file, field: this.#field, fix: p.code === 'ENOENT' ? 'check the tokenFile path, or that the token is mounted' : 'point tokenFile at a readable file holding one token', cause: p,
        });
      }
    }
    return { authorization: `Bearer ${this.#token}` };
  }
  invalidate(): boolean {
    this.#checkedAt = 0;
    return true;
  }
  secrets(): readonly string[] {
    return this.#token === undefined ? [] : [this.#token];
  }
  /** A description without the secret, for logs. */
  toJSON(): object {
    return { kind: this.kind, path: this.#path };
  }
}
