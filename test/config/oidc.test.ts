// The oidc auth-provider against a scripted local issuer (discovery + token endpoint).
import { afterEach, describe, expect, it } from 'vitest';
import { jwtExpiry, OidcCredentials } from '../../src/config/oidc.js';
import { AuthPluginError } from '../../src/core/errors.js';
import { json, startServer, type TestServer } from '../transport/helpers.js';

function jwt(exp: number, sub = 'me'): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none' })}.${enc({ sub, exp })}.sig`;
}

let issuer: TestServer | undefined;
afterEach(async () => {
  await issuer?.close();
  issuer = undefined;
});

describe('OidcCredentials', () => {
  it('uses a valid id-token as is', async () => {
    const token = jwt(Math.floor(Date.now() / 1000) + 3600);
    expect(jwtExpiry(token)).toBeGreaterThan(0);
    const p = new OidcCredentials({ 'id-token': token });
    expect(await p.get()).toEqual({ authorization: `Bearer ${token}` });
  });

  it('refreshes an expired id-token through the issuer token endpoint', async () => {
    const fresh = jwt(Math.floor(Date.now() / 1000) + 3600, 'fresh');
    issuer = await startServer((req, res, body) => {
      if (req.url === '/.well-known/openid-configuration') return json(res, 200, { token_endpoint: `${issuer?.url}/token` });
      const form = new URLSearchParams(body);
      if (req.url === '/token' && form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'rt-1' && form.get('client_id') === 'kube') {
        return json(res, 200, { id_token: fresh, refresh_token: 'rt-2' });
      }
      return json(res, 400, { error: 'invalid_grant' });
    });
    const refreshed: string[] = [];
    const p = new OidcCredentials(
      { 'id-token': jwt(Math.floor(Date.now() / 1000) - 10), 'refresh-token': 'rt-1', 'idp-issuer-url': issuer.url, 'client-id': 'kube', 'client-secret': 'cs' },
      { onRefresh: (t) => refreshed.push(t.refreshToken ?? '') },
    );
    expect(await p.get()).toEqual({ authorization: `Bearer ${fresh}` });
    expect(refreshed).toEqual(['rt-2']);
    expect(await p.get()).toEqual({ authorization: `Bearer ${fresh}` });
    expect(issuer.requests).toHaveLength(2);
    // After a 401 the next refresh uses the rotated refresh token: the issuer rejects it here.
    expect(p.invalidate()).toBe(true);
    const err = await p.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthPluginError);
    expect((err as Error).message).toContain('invalid_grant');
    expect((err as Error).message).not.toContain('rt-2');
  });

  it('an expired token without a refresh token says to log in again', async () => {
    const p = new OidcCredentials({ 'id-token': jwt(1) });
    expect(p.invalidate()).toBe(false);
    const q = new OidcCredentials({ 'refresh-token': 'x' });
    await expect(q.get()).rejects.toThrow(/log in again/);
  });
});
