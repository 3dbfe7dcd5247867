/**
 * The credentials of the portable builds: a fixed bearer token, or none. Apart from
 * portable-config.ts so that portable-kubeconfig.ts can use them without importing it back.
 */
import type { CredentialProvider, Credentials } from '../../config/credentials.js';
import { UsageError } from '../../core/errors.js';

/** A fixed bearer token, without the node build's file-reading providers. */
export class BearerToken implements CredentialProvider {
  readonly kind = 'token';
  readonly #token: string;
  constructor(token: string) {
    this.#token = token.trim();
    if (this.#token === '' || /[\r\n\0]/.test(this.#token)) throw new UsageError('the bearer token is empty or holds a line break; pass the token text itself');
  }
  async get(): Promise<Credentials> {
    return { authorization: `Bearer ${this.#token}` };
  }
  secrets(): readonly string[] {
    return [this.#token];
  }
  toJSON(): object {
    return { kind: this.kind };
  }
}

/** No credentials (a `kubectl proxy` in front, or an anonymous API server). */
export class Anonymous implements CredentialProvider {
  readonly kind = 'none';
  async get(): Promise<Credentials> {
    return {};
  }
}
