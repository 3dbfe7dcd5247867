/**
 * The `oidc` auth-provider of kubeconfig: send the id-token; when it has expired and a
 * refresh-token is configured, get a new one from the issuer's token endpoint (found
 * through OpenID discovery). New tokens are kept in memory and reported through `onRefresh`
 * so the caller can persist them.
 */
import { plainRequest } from '../net/plain-request.js';
import { AbortedError, AuthPluginError } from '../core/errors.js';
import type { CredentialProvider, Credentials } from './credentials.js';
import { headerValueProblem } from './header-values.js';

/** The OIDC auth-provider settings of a kubeconfig user. */
export interface OidcConfig {
  readonly 'id-token'?: string;
  readonly 'refresh-token'?: string;
  readonly 'idp-issuer-url'?: string;
  readonly 'client-id'?: string;
  readonly 'client-secret'?: string;
  /** PEM of the issuer's CA (from idp-certificate-authority or -data). */
  readonly caPem?: string;
  readonly 'extra-scopes'?: string;
}

/** Options of {@link OidcCredentials}. */
export interface OidcOptions {
  /** Called with the new tokens after a refresh, e.g. to write them back to the kubeconfig. */
  readonly onRefresh?: (tokens: { idToken: string; refreshToken: string | undefined }) => void;
  /** Treat tokens expiring within this window as expired; default 10 s. */
  readonly skewMs?: number;
}

/** Seconds-since-epoch `exp` of a JWT, or undefined when it has none or is not a JWT. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

export class OidcCredentials implements CredentialProvider {
  readonly kind = 'oidc';
  #idToken: string | undefined;
  #refreshToken: string | undefined;
  readonly #config: OidcConfig;
  readonly #options: OidcOptions;
  #inflight: Promise<void> | undefined;
  #forceRefresh = false;

  constructor(config: OidcConfig, options: OidcOptions = {}) {
    this.#config = config;
    this.#options = options;
    this.#idToken = config['id-token'] || undefined;
    this.#refreshToken = config['refresh-token'] || undefined;
  }

  #valid(): boolean {
    if (this.#idToken === undefined || this.#forceRefresh) return false;
    const exp = jwtExpiry(this.#idToken);
    return exp === undefined || exp * 1000 - (this.#options.skewMs ?? 10_000) > Date.now();
  }

  /** The ID token, refreshed with the refresh token when it expires. */
  async get(signal?: AbortSignal): Promise<Credentials> {
    if (!this.#valid()) {
      if (this.#refreshToken === undefined || !this.#config['idp-issuer-url']) {
        if (this.#idToken !== undefined && !this.#forceRefresh) return { authorization: `Bearer ${this.#idToken}` };
        throw new AuthPluginError('oidc: the id-token has expired and no refresh-token/idp-issuer-url is configured; log in again (e.g. kubectl oidc-login)', 'OidcRefreshFailed');
      }
      this.#inflight ??= this.#refresh(signal).finally(() => {
        this.#inflight = undefined;
      });
      await this.#inflight;
    }
    return { authorization: `Bearer ${this.#idToken ?? ''}` };
  }

  invalidate(): boolean {
    if (this.#refreshToken === undefined) return false;
    this.#forceRefresh = true;
    return true;
  }

  secrets(): readonly string[] {
    return [this.#idToken, this.#refreshToken, this.#config['client-secret']].filter((s): s is string => !!s);
  }

  /** A description without the secret, for logs. */
  toJSON(): object {
    return { kind: this.kind, issuer: this.#config['idp-issuer-url'] };
  }

  async #refresh(signal?: AbortSignal): Promise<void> {
    const issuer = (this.#config['idp-issuer-url'] ?? '').replace(/\/+$/, '');
    const ca = this.#config.caPem;
    const fail = (what: string, cause?: unknown): AuthPluginError =>
      new AuthPluginError(`oidc: refreshing the id-token through ${issuer} failed: ${what}`, 'OidcRefreshFailed', { cause: safeCause(cause) });
    let discovery: { token_endpoint?: unknown };
    try {
      const res = await plainRequest(`${issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' }, signal, ...(ca ? { ca } : {}) });
      if (res.status < 200 || res.status > 299) throw fail(`discovery answered ${res.status}`);
      discovery = JSON.parse(res.text) as { token_endpoint?: unknown };
    } catch (e) {
      if (signal?.aborted) throw new AbortedError('oidc refresh', signal.reason);
      throw e instanceof AuthPluginError ? e : fail('discovery request failed', e);
    }
    if (typeof discovery.token_endpoint !== 'string') throw fail('discovery document has no token_endpoint');
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.#refreshToken ?? '' });
    const clientId = this.#config['client-id'];
    const clientSecret = this.#config['client-secret'];
    if (clientId) form.set('client_id', clientId);
    if (clientSecret) form.set('client_secret', clientSecret);
    let body: { id_token?: unknown; refresh_token?: unknown; error?: unknown };
    try {
      const res = await plainRequest(discovery.token_endpoint, {
        method: 'POST', signal, ...(ca ? { ca } : {}),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
      try {
        body = JSON.parse(res.text) as typeof body;
      } catch {
        body = {};
      }
      if (res.status < 200 || res.status > 299) throw fail(`token endpoint answered ${res.status}${typeof body.error === 'string' ? ` (${body.error})` : ''}`);
    } catch (e) {
      if (signal?.aborted) throw new AbortedError('oidc refresh', signal.reason);
      throw e instanceof AuthPluginError ? e : fail('token request failed', e);
    }
    if (typeof body.id_token !== 'string' || body.id_token === '') throw fail('the token response has no id_token');
    const problem = headerValueProblem(body.id_token);
    if (problem !== undefined) throw fail(`the new id_token ${problem}`);
    this.#idToken = body.id_token;
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') this.#refreshToken = body.refresh_token;
    this.#forceRefresh = false;
    this.#options.onRefresh?.({ idToken: this.#idToken, refreshToken: this.#refreshToken });
  }
}

// Network errors from fetch carry only codes and host names; keep just that much.
function safeCause(cause: unknown): unknown {
  if (!(cause instanceof Error)) return undefined;
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof inner?.code === 'string' ? inner.code : undefined;
  return new Error(code ? `${cause.message} (${code})` : cause.message);
}
