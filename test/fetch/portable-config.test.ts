// What the portable build cannot do fails with a UsageError saying what to do instead: kubeconfig
// files and exec plugins in a page, a client certificate from a browser, TLS knobs on Node's fetch.
// What it can do (inline kubeconfig data, a server and a token) resolves to the right config.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, UsageError } from '../../src/core/errors.js';
import { FetchTransport } from '../../src/transport/fetch/fetch-transport.js';
import { BearerToken, serverConfig } from '../../src/transport/fetch/portable-config.js';
import { kubeconfigConfig } from '../../src/transport/fetch/portable-kubeconfig.js';
import { loadClusterConfig } from '../../src/transport/fetch/portable-load.js';
import { detectRuntime, runtimeTls } from '../../src/transport/fetch/runtime-tls.js';

const b = (s: string): string => Buffer.from(s).toString('base64');
const doc = (user: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://k:6443', 'certificate-authority-data': b('CA-PEM') }): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
  clusters: [{ name: 'k', cluster }], users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u', namespace: 'web' } }],
});

afterEach(() => vi.unstubAllGlobals());

describe('portable config', () => {
  it('inline kubeconfig data resolves: server, namespace, CA, client certificate, token', async () => {
    const cert = kubeconfigConfig({ kubeconfig: doc({ 'client-certificate-data': b('CERT'), 'client-key-data': b('KEY') }) });
    expect(cert).toMatchObject({ server: 'https://k:6443', namespace: 'web', context: 'c', tls: { ca: 'CA-PEM', insecureSkipTlsVerify: false } });
    expect(cert.clientCertificate).toEqual({ cert: 'CERT', key: 'KEY' });
    const token = kubeconfigConfig({ kubeconfig: doc({ token: 'abc123' }), namespace: 'other' });
    expect(token.namespace).toBe('other');
    expect(await token.credentials.get()).toEqual({ authorization: 'Bearer abc123' });
    expect(JSON.stringify(token)).not.toContain('abc123');
  });

  it('files, exec plugins, auth providers and basic auth fail with a UsageError that says what to do instead', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } }, /exec plugin \(aws\).*pass its token.*kubectl proxy/],
      [{ tokenFile: '/var/run/token' }, /tokenFile names a file.*serverConfig\(\{ server, token \}\)/],
      [{ 'client-certificate': '/c.pem', 'client-key': '/k.pem' }, /names a file.*\*-data/],
      [{ 'auth-provider': { name: 'oidc' } }, /auth-provider "oidc"/],
      [{ username: 'a', password: 'b' }, /basic auth/],
    ];
    for (const [user, message] of cases) {
      const err = (() => { try { kubeconfigConfig({ kubeconfig: doc(user) }); } catch (e) { return e; } })();
      expect(err, JSON.stringify(user)).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
    expect(() => kubeconfigConfig({ kubeconfig: doc({}, { server: 'https://k', 'certificate-authority': '/ca.pem' }) })).toThrow(/certificate-authority names a file/);
    expect(() => kubeconfigConfig({ kubeconfig: doc({}), context: 'nope' })).toThrow(ConfigError);
    expect(() => serverConfig({ server: 'not a url' })).toThrow(UsageError);
    expect(() => new BearerToken('a\nb')).toThrow(UsageError);
  });

  it('in a page, Kube.connect() (the portable loader) explains kubectl proxy --www and --cors-allowed-origins', async () => {
    vi.stubGlobal('process', undefined);
    vi.stubGlobal('document', {});
    expect(detectRuntime()).toBe('browser');
    const err = await loadClusterConfig().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/cannot read kubeconfig files.*kubectl proxy --www.*--cors-allowed-origins/);
  });

  it('runtime TLS: a browser refuses a client certificate, Node\'s fetch asks for a dispatcher, Bun gets `tls`, Deno a client', () => {
    const withCert = kubeconfigConfig({ kubeconfig: doc({ 'client-certificate-data': b('CERT'), 'client-key-data': b('KEY') }) });
    expect(() => runtimeTls(withCert, withCert.clientCertificate, 'browser', false)).toThrow(/browser chooses client certificates itself.*kubectl proxy/);
    expect(() => new FetchTransport(withCert, { runtime: 'node' })).toThrow(/dispatcher/);
    expect(new FetchTransport(withCert, { runtime: 'node', fetchOptions: { dispatcher: {} } })).toBeInstanceOf(FetchTransport);
    expect(runtimeTls(withCert, withCert.clientCertificate, 'bun', false).init).toEqual({ tls: { ca: 'CA-PEM', cert: 'CERT', key: 'KEY' } });
    const made: unknown[] = [];
    vi.stubGlobal('Deno', { version: { deno: '2' }, createHttpClient: (o: unknown) => (made.push(o), { close: () => undefined }) });
    expect(Object.keys(runtimeTls(withCert, withCert.clientCertificate, 'deno', false).init)).toEqual(['client']);
    expect(made).toEqual([{ caCerts: ['CA-PEM'], cert: 'CERT', key: 'KEY' }]);
    const plain = serverConfig({ server: 'http://localhost:8001' });
    expect(runtimeTls(plain, undefined, 'browser', false).init).toEqual({});
  });

  it('more than one impersonated group cannot go over fetch (it would join them into one header): UsageError', () => {
    const cfg = kubeconfigConfig({ kubeconfig: doc({ token: 't', as: 'jane', 'as-groups': ['a', 'b'] }, { server: 'http://k' }) });
    expect(() => new FetchTransport(cfg)).toThrow(/more than one group/);
  });
});
