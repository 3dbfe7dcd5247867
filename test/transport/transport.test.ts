// Unit tests of the transport against a scripted local HTTP(S) server (fault injection only).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StaticTokenCredentials, TokenFileCredentials } from '../../src/config/credentials.js';
import {
  AbortedError, AlreadyExistsError, ConflictError, ExpiredError, ForbiddenError, InvalidError, NetworkError, NotFoundError,
  RequestTimeoutError, ServiceUnavailableError, TlsError, TooManyRequestsError, UnauthorizedError,
} from '../../src/core/errors.js';
import { type DebugEvent, Transport } from '../../src/transport/transport.js';
import type { KubeWarning } from '../../src/transport/warnings.js';
import { noProxyMatches } from '../../src/net/proxy.js';
import { config, json, makePki, startConnectProxy, startServer, startSocksProxy, status, type TestServer } from './helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fastRetry = { limit: 3, baseDelayMs: 5, maxDelayMs: 20 };

describe('Transport', () => {
  it('sends user agent, accept and bearer token, and parses JSON', async () => {
    server = await startServer((_q, res) => json(res, 200, { kind: 'Pod', metadata: { name: 'a' } }));
    const t = new Transport(config(server.url, { credentials: new StaticTokenCredentials('tok-123456') }));
    const pod = await t.request<{ metadata: { name: string } }>({ method: 'GET', path: '/api/v1/namespaces/x/pods/a', query: { pretty: false } });
    expect(pod.metadata.name).toBe('a');
    const r = server.requests[0]!;
    expect(r.url).toBe('/api/v1/namespaces/x/pods/a?pretty=false');
    expect(r.headers.authorization).toBe('Bearer tok-123456');
    expect(r.headers['user-agent']).toMatch(/^kubefluent\/\d+\.\d+\.\d+ \(node v\d+/);
    expect(r.headers.accept).toBe('application/json');
    await t.close();
  });

  it('sends requests under the path prefix of the server URL (a proxy such as /k8s/clusters/c-1)', async () => {
    server = await startServer((_q, res) => json(res, 200, { kind: 'Namespace' }));
    for (const suffix of ['/k8s/clusters/c-1', '/k8s/clusters/c-1/']) {
      const t = new Transport(config(`${server.url}${suffix}`));
      await t.request({ method: 'GET', path: '/api/v1/namespaces/default', query: { labelSelector: 'a=b' } });
      await t.close();
    }
    expect(server.requests.map((r) => r.url)).toEqual(['/k8s/clusters/c-1/api/v1/namespaces/default?labelSelector=a%3Db', '/k8s/clusters/c-1/api/v1/namespaces/default?labelSelector=a%3Db']);
  });

  it('maps every Status reason to its error class with method, path and causes', async () => {
    const cases: [number, Record<string, unknown>, abstract new (...a: never[]) => Error][] = [
      [404, status(404, 'NotFound', 'pods "a" not found'), NotFoundError],
      [409, status(409, 'AlreadyExists', 'pods "a" already exists'), AlreadyExistsError],
      [409, status(409, 'Conflict', 'the object has been modified'), ConflictError],
      [422, status(422, 'Invalid', 'Pod "a" is invalid', { details: { causes: [{ field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' }] } }), InvalidError],
      [403, status(403, 'Forbidden', 'forbidden'), ForbiddenError],
      [401, status(401, 'Unauthorized', 'Unauthorized'), UnauthorizedError],
      [410, status(410, 'Expired', 'continue token expired'), ExpiredError],
    ];
    let i = 0;
    server = await startServer((_q, res) => {
      const [code, body] = cases[i++ % cases.length]!;
      json(res, code, body);
    });
    const t = new Transport(config(server.url), { retry: false });
    for (const [code, , cls] of cases) {
      const err = await t.request({ method: 'GET', path: '/api/v1/pods' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cls);
      expect(err).toMatchObject({ code, method: 'GET', path: '/api/v1/pods' });
      expect((err as Error).message).toContain('GET /api/v1/pods');
    }
    await t.close();
  });

  it('turns a non-Status error body into a typed error too', async () => {
    server = await startServer((_q, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>upstream down</html>');
    });
    const t = new Transport(config(server.url), { retry: false });
    const err = await t.request({ method: 'GET', path: '/version' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as Error).message).toContain('upstream down');
  });

  it('retries GET on 429 honouring Retry-After, and on 503 with backoff', async () => {
    server = await startServer((_q, res, _b, n) => {
      if (n === 1) json(res, 429, status(429, 'TooManyRequests', 'slow down'), { 'retry-after': '1' });
      else if (n === 2) json(res, 503, status(503, 'ServiceUnavailable', 'busy'));
      else json(res, 200, { ok: true });
    });
    const events: DebugEvent[] = [];
    const t = new Transport(config(server.url), { retry: fastRetry, onDebug: (e) => events.push(e) });
    const started = Date.now();
    await expect(t.request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries.map((e) => (e.type === 'retry' ? e.delayMs : 0))[0]).toBe(1000);
    expect(retries).toHaveLength(2);
  });

  it('never retries a write blindly: 503 without Retry-After fails, with Retry-After is retried', async () => {
    server = await startServer((_q, res, _b, n) => {
      if (n === 1) json(res, 503, status(503, 'ServiceUnavailable', 'busy'));
      else if (n === 2) json(res, 429, status(429, 'TooManyRequests', 'later'), { 'retry-after': '0' });
      else json(res, 201, { created: true });
    });
    const t = new Transport(config(server.url), { retry: fastRetry });
    await expect(t.request({ method: 'POST', path: '/x', body: {} })).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(t.request({ method: 'POST', path: '/x', body: {} })).resolves.toEqual({ created: true });
    expect(server.requests).toHaveLength(3);
  });

  it('gives up with TooManyRequestsError after the retry limit', async () => {
    server = await startServer((_q, res) => json(res, 429, status(429, 'TooManyRequests', 'no'), { 'retry-after': '0' }));
    const t = new Transport(config(server.url), { retry: { ...fastRetry, limit: 2 } });
    const err = await t.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect((err as TooManyRequestsError).retryAfterSeconds).toBe(0);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a GET whose connection is dropped, but not a POST', async () => {
    server = await startServer((req, res, _b, n) => {
      if (n === 1 || req.method === 'POST') req.socket.destroy();
      else json(res, 200, { ok: n });
    });
    const t = new Transport(config(server.url), { retry: fastRetry });
    await expect(t.request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: 2 });
    const err = await t.request({ method: 'POST', path: '/x', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('wraps a refused connection in NetworkError with its cause', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const t = new Transport(config(closed.url), { retry: false });
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', reason: 'NetworkError' });
    expect((err as Error).message).toContain('connection refused');
    expect((err as Error).cause).toBeDefined();
  });

  it('surfaces Warning headers through the hook, and logs each distinct one once by default', async () => {
    server = await startServer((_q, res) => json(res, 200, {}, { warning: '299 - "v1beta1 is deprecated, use v1", 299 - "unknown field \\"spec.foo\\""' }));
    const seen: KubeWarning[] = [];
    const t = new Transport(config(server.url), { onWarning: (w) => seen.push(w) });
    await t.request({ method: 'GET', path: '/x' });
    expect(seen.map((w) => w.text)).toEqual(['v1beta1 is deprecated, use v1', 'unknown field "spec.foo"']);
    const logged: string[] = [];
    const orig = console.warn;
    console.warn = (m: string) => logged.push(m);
    try {
      const d = new Transport(config(server.url));
      await d.request({ method: 'GET', path: '/x' });
      await d.request({ method: 'GET', path: '/x' });
    } finally {
      console.warn = orig;
    }
    expect(logged).toHaveLength(2);
  });

  it('applies the per-call timeout and the caller\'s AbortSignal', async () => {
    server = await startServer((_q, res) => setTimeout(() => json(res, 200, {}), 500));
    const t = new Transport(config(server.url), { retry: false });
    const err = await t.request({ method: 'GET', path: '/slow', timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(t.request({ method: 'GET', path: '/slow', signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
  });

  it('refreshes credentials once on 401 (token file rotated)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kf-tok-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'old-token-aaaa');
    server = await startServer((req, res) => {
      if (req.headers.authorization === 'Bearer new-token-bbbb') json(res, 200, { ok: true });
      else json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    });
    const t = new Transport(config(server.url, { credentials: new TokenFileCredentials(file) }));
    await expect(t.request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(UnauthorizedError);
    writeFileSync(file, 'new-token-bbbb\n');
    await expect(t.request({ method: 'GET', path: '/x' })).resolves.toEqual({ ok: true });
  });

  it('limits the request rate when asked', async () => {
    server = await startServer((_q, res) => json(res, 200, {}));
    const t = new Transport(config(server.url), { rateLimit: { qps: 20, burst: 1 } });
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => t.request({ method: 'GET', path: '/x' })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('verifies the server against the kubeconfig CA and fails closed with a TlsError', async () => {
    const pki = makePki();
    server = await startServer((_q, res) => json(res, 200, { ok: true }), { key: pki.serverKey, cert: pki.serverCert });
    const good = new Transport(config(server.url, { tls: { ca: pki.caCert } }));
    await expect(good.request({ method: 'GET', path: '/version' })).resolves.toEqual({ ok: true });
    const wrong = new Transport(config(server.url, { tls: { ca: pki.otherCaCert } }), { retry: false });
    const err = await wrong.request({ method: 'GET', path: '/version' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as Error).message).toMatch(/not signed by a trusted certificate authority|certificate/);
    expect((err as Error).message).toContain('certificate-authority');
    const system = new Transport(config(server.url), { retry: false });
    await expect(system.request({ method: 'GET', path: '/version' })).rejects.toBeInstanceOf(TlsError);
    const name = new Transport(config(server.url.replace('127.0.0.1', 'localhost'), { tls: { ca: pki.caCert, serverName: 'wrong.example' } }), { retry: false });
    await expect(name.request({ method: 'GET', path: '/version' })).rejects.toBeInstanceOf(TlsError);
    // tls-server-name: verify against another name the certificate carries.
    const sni = new Transport(config(server.url, { tls: { ca: pki.caCert, serverName: 'localhost' } }));
    await expect(sni.request({ method: 'GET', path: '/version' })).resolves.toEqual({ ok: true });
    // insecure-skip-tls-verify: only when the kubeconfig says so.
    const insecure = new Transport(config(server.url, { tls: { insecureSkipTlsVerify: true } }));
    await expect(insecure.request({ method: 'GET', path: '/version' })).resolves.toEqual({ ok: true });
    await Promise.all([good.close(), wrong.close(), system.close(), name.close(), sni.close(), insecure.close()]);
  });

  it('sends impersonation headers from the kubeconfig', async () => {
    server = await startServer((_q, res) => json(res, 200, {}));
    const t = new Transport(config(server.url, { impersonate: { user: 'jane', uid: 'u-1', groups: ['dev', 'ops, eu'], extra: { 'scopes.example/x': ['a', 'b'], one: ['1'] } } }));
    await t.request({ method: 'GET', path: '/x' });
    const h = server.requests[0]!.headers;
    expect([h['impersonate-user'], h['impersonate-uid'], h['impersonate-extra-one']]).toEqual(['jane', 'u-1', '1']);
    // Each group and extra value on its own header line, as the API server reads them.
    const raw = server.requests[0]!.rawHeaders;
    const lines = (name: string): string[] => raw.flatMap((v, i) => (i % 2 === 1 && raw[i - 1]!.toLowerCase() === name ? [v] : []));
    expect(lines('impersonate-group')).toEqual(['dev', 'ops, eu']);
    expect(lines('impersonate-extra-scopes.example%2fx')).toEqual(['a', 'b']);
    expect(raw.some((v) => v.startsWith('x-kubefluent-repeat'))).toBe(false);
  });

  it('tunnels through proxy-url (HTTP CONNECT) to an HTTPS server with the cluster CA', async () => {
    const pki = makePki();
    server = await startServer((_q, res) => json(res, 200, { via: 'tunnel' }), { key: pki.serverKey, cert: pki.serverCert });
    const proxy = await startConnectProxy();
    try {
      const t = new Transport(config(server.url, { tls: { ca: pki.caCert }, proxyUrl: proxy.url }));
      await expect(t.request({ method: 'GET', path: '/version' })).resolves.toEqual({ via: 'tunnel' });
      expect(proxy.connects).toEqual([server.url.replace('https://', '')]);
      await t.close();
    } finally {
      await proxy.close();
    }
  });

  it('honours HTTPS_PROXY and NO_PROXY from the environment when there is no proxy-url', async () => {
    const pki = makePki();
    server = await startServer((_q, res) => json(res, 200, { ok: true }), { key: pki.serverKey, cert: pki.serverCert });
    const proxy = await startConnectProxy();
    // kube.test is not loopback, so the environment's proxy applies (the proxy maps it to 127.0.0.1).
    const named = server.url.replace('127.0.0.1', 'kube.test');
    const get = async (url: string, env: Record<string, string>): Promise<unknown> => {
      for (const k of ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy']) vi.stubEnv(k, env[k] ?? '');
      const t = new Transport(config(url, { tls: { ca: pki.caCert } }), { retry: false });
      try {
        return await t.request({ method: 'GET', path: '/version' });
      } finally {
        await t.close();
        vi.unstubAllEnvs();
      }
    };
    try {
      await expect(get(named, { HTTPS_PROXY: proxy.url })).resolves.toEqual({ ok: true });
      expect(proxy.connects).toEqual([named.replace('https://', '')]);
      // NO_PROXY exempts it: the client goes direct (and kube.test does not resolve outside the proxy).
      await expect(get(named, { https_proxy: proxy.url, NO_PROXY: 'kube.test' })).rejects.toBeInstanceOf(NetworkError);
      expect(proxy.connects).toHaveLength(1);
      // A server on this machine is never reached through the environment's proxy.
      await expect(get(server.url, { HTTPS_PROXY: proxy.url })).resolves.toEqual({ ok: true });
      expect(proxy.connects).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('tunnels through a SOCKS5 proxy-url, with and without user/password', async () => {
    const pki = makePki();
    server = await startServer((_q, res) => json(res, 200, { via: 'socks' }), { key: pki.serverKey, cert: pki.serverCert });
    for (const auth of [undefined, { user: 'u', pass: 'p@ss' }]) {
      const proxy = await startSocksProxy(auth);
      try {
        const proxyUrl = auth ? proxy.url.replace('socks5://', `socks5://${auth.user}:${encodeURIComponent(auth.pass)}@`) : proxy.url;
        const t = new Transport(config(server.url, { tls: { ca: pki.caCert }, proxyUrl }));
        await expect(t.request({ method: 'GET', path: '/version' })).resolves.toEqual({ via: 'socks' });
        expect(proxy.connects).toEqual([server.url.replace('https://', '')]);
        await t.close();
        if (auth) {
          // Wrong password: a NetworkError that names the proxy, never its credentials.
          const bad = new Transport(config(server.url, { tls: { ca: pki.caCert }, proxyUrl: proxy.url.replace('socks5://', 'socks5://u:wrong-secret@') }), { retry: false });
          const err = await bad.request({ method: 'GET', path: '/version' }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(NetworkError);
          expect((err as Error).message).toMatch(/SOCKS5 authentication failed/);
          expect((err as Error).message).not.toMatch(/wrong-secret/);
          await bad.close();
        }
      } finally {
        await proxy.close();
      }
    }
  });

  it('matches NO_PROXY like kubectl: *, suffixes, IPs, CIDRs and ports', () => {
    expect(noProxyMatches('*', 'a.example', 443)).toBe(true);
    expect(noProxyMatches('example.com', 'api.example.com', 443)).toBe(true);
    expect(noProxyMatches('.example.com', 'example.com', 443)).toBe(true);
    expect(noProxyMatches('example.com', 'badexample.com', 443)).toBe(false);
    expect(noProxyMatches('10.0.0.0/8, 127.0.0.1', '10.1.2.3', 6443)).toBe(true);
    expect(noProxyMatches('10.0.0.0/8', '11.1.2.3', 6443)).toBe(false);
    expect(noProxyMatches('127.0.0.1', '127.0.0.1', 1)).toBe(true);
    expect(noProxyMatches('example.com:6443', 'api.example.com', 6443)).toBe(true);
    expect(noProxyMatches('example.com:6443', 'api.example.com', 443)).toBe(false);
    expect(noProxyMatches(undefined, 'example.com', 443)).toBe(false);
  });

  it('close() does not hang on a stream nobody reads: open streams are cut', async () => {
    server = await startServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    const events: DebugEvent[] = [];
    const t = new Transport(config(server.url), { onDebug: (e) => events.push(e) });
    const s = await t.stream({ method: 'GET', path: '/api/v1/pods', query: { watch: true } });
    const started = Date.now();
    await t.close(100);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(s.body[Symbol.asyncIterator]().next()).rejects.toBeDefined();
    expect(events.map((e) => e.type)).toEqual(['request', 'response']);
  });
});
