/** A fixed bearer token: the one credential provider both builds (node and portable) share. */
import type { CredentialProvider, Credentials } from './credentials.js';

/** A fixed bearer token. */
export class StaticTokenCredentials implements CredentialProvider {
  readonly kind = 'token';
  readonly #token: string;
  constructor(token: string) {
    this.#token = token.trim();
  }
  /** The token. */
  async get(): Promise<Credentials> {
    return { authorization: `Bearer ${this.#token}` };
  }
  secrets(): readonly string[] {
    return [this.#token];
  }
  /** A description without the secret, for logs. */
  toJSON(): object {
    return { kind: this.kind };
  }
}
