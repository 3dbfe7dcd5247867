/**
 * The credentials of the portable builds: a fixed bearer token, or none. Apart from
 * portable-config.ts so that portable-kubeconfig.ts can use them without importing it back.
 */
import type { CredentialProvider, Credentials } from '../../config/credentials.js';
import { StaticTokenCredentials } from '../../config/static-token.js';
import { UsageError } from '../../core/errors.js';

/** A fixed bearer token, refused when empty or holding a line break (a page passes it by hand). */
export class BearerToken extends StaticTokenCredentials {
  constructor(token: string) {
    super(token);
    if (token.trim() === '' || /[\r\n\0]/.test(token.trim())) throw new UsageError('the bearer token is empty or holds a line break; pass the token text itself');
  }
}

/** No credentials (a `kubectl proxy` in front, or an anonymous API server). */
export class Anonymous implements CredentialProvider {
  readonly kind = 'none';
  async get(): Promise<Credentials> {
    return {};
  }
}
