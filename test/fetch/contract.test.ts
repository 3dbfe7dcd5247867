// The transport contract (src/transport/kube-transport.ts), run against both implementations — the
// node:http Transport and the fetch one — on the same scripted loopback servers, so they cannot
// drift: headers and credentials, typed errors, retries and Retry-After (issue 12's hostile cases),
// timeouts and signals, body caps, streams through the shared watch decoder, no secrets out.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-config.js';
import { BasicAuthCredentials, type CredentialProvider, StaticTokenCredentials } from '../../src/config/credentials.js';
import { AbortedError, AlreadyExistsError, NetworkError, NotFoundError, RequestTimeoutError, ServiceUnavailableError, TooManyRequestsError } from '../../src/core/errors.js';
import { ResponseTooLargeError } from '../../src/net/response-errors.js';
import { watchStream } from '../../src/client/watch.js';
import { FetchTransport } from '../../src/transport/fetch/fetch-transport.js';
import type { KubeTransport } from '../../src/transport/kube-transport.js';
import { MAX_RETRY_AFTER_SECONDS } from '../../src/transport/retry.js';
import { type DebugEvent, Transport, type TransportOptions } from '../../src/transport/transport.js';
import type { KubeWarning } from '../../src/transport/warnings.js';
import { config, json, startServer, status, type TestServer } from '../transport/helpers.js';

type Make = (c: ClusterConfig, o?: TransportOptions) => KubeTransport;
const transports: [string, Make][] = [
  ['node:http', (c, o) => new Transport(c, o)],
  ['fetch', (c, o) => new FetchTransport(c, o)],
];

const TOKEN = 'sha256~Zk9vQmFyLXNlY3JldC10b2tlbi0xMjM0NQ';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const MiB = 1024 * 1024;

let server: TestServer | undefined;
let open: KubeTransport | undefined;
afterEach(async () => {
  await open?.close(0);
  open = undefined;
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

describe.each(transports)('the %s transport keeps the contract', (_name, make) => {
  const use = (c: ClusterConfig, o?: TransportOptions): KubeTransport => (open = make(c, o));

  it('sends method, path, query, JSON body, accept, content-type, the bearer token and impersonation', async () => {
    server = await startServer((_q, res) => json(res, 201, { kind: 'ConfigMap', metadata: { name: 'x' } }));
    const t = use(config(server.url, { credentials: new StaticTokenCredentials(TOKEN), impersonate: { user: 'jane', groups: ['devs'] } }));
    const out = await t.request<{ kind: string }>({ method: 'POST', path: '/api/v1/namespaces/a/configmaps', query: { fieldManager: 'm', dryRun: 'All' }, body: { kind: 'ConfigMap' } });
    expect(out.kind).toBe('ConfigMap');
    const r = server.requests[0];
    expect(r?.method).toBe('POST');
    expect(r?.url).toBe('/api/v1/namespaces/a/configmaps?fieldManager=m&dryRun=All');
    expect(JSON.parse(r?.body ?? '')).toEqual({ kind: 'ConfigMap' });
    expect(r?.headers).toMatchObject({ accept: 'application/json', 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'impersonate-user': 'jane', 'impersonate-group': 'devs' });
  });

  it('a Status error becomes its typed error, with the server message', async () => {
    server = await startServer((req, res) => req.url?.includes('dup')
      ? json(res, 409, status(409, 'AlreadyExists', 'configmaps "dup" already exists'))
      : json(res, 404, status(404, 'NotFound', 'configmaps "x" not found')));
    const t = use(config(server.url));
    const nf = await t.request({ method: 'GET', path: '/api/v1/namespaces/a/configmaps/x' }).catch((e: unknown) => e);
    expect(nf).toBeInstanceOf(NotFoundError);
    expect((nf as NotFoundError).code).toBe(404);
    expect((nf as Error).message).toContain('configmaps "x" not found');
    const dup = await t.request({ method: 'POST', path: '/api/v1/namespaces/a/configmaps/dup', body: {} }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(AlreadyExistsError);
  });

  it('retries a GET after 503s; does not retry a POST 503 without Retry-After; retries a POST 429 with Retry-After', async () => {
    server = await startServer((req, res, _b, n) => {
      if (req.method === 'GET') return n < 3 ? json(res, 503, status(503, 'ServiceUnavailable', 'later')) : json(res, 200, { ok: true });
      if (req.url === '/post-503') return json(res, 503, status(503, 'ServiceUnavailable', 'later'));
      return n === 5 ? json(res, 429, status(429, 'TooManyRequests', 'slow'), { 'retry-after': '1' }) : json(res, 200, { ok: 'post' });
    });
    const t = use(config(server.url), { retry: { limit: 5, baseDelayMs: 5 } });
    expect(await t.request({ method: 'GET', path: '/api' })).toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
    await expect(t.request({ method: 'POST', path: '/post-503', body: {} })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(server.requests).toHaveLength(4);
    const started = Date.now();
    expect(await t.request({ method: 'POST', path: '/post-429', body: {} })).toEqual({ ok: 'post' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(server.requests).toHaveLength(6);
  });

  it('`Retry-After: 0` on every answer still backs off (6 requests, no faster than the backoff floor)', async () => {
    server = await startServer((_q, res) => json(res, 429, status(429, 'TooManyRequests', 'slow down'), { 'retry-after': '0' }));
    const t = use(config(server.url), { retry: { limit: 5, baseDelayMs: 20 } });
    const started = Date.now();
    const err = await t.request({ method: 'GET', path: '/api/v1/pods' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(server.requests).toHaveLength(6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(310);
  });

  it('an absurd Retry-After is capped, and longer than the client waits, so it fails at once', async () => {
    server = await startServer((_q, res) => json(res, 429, status(429, 'TooManyRequests', 'x'), { 'retry-after': '99999999999999999999999' }));
    const t = use(config(server.url));
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    expect((err as TooManyRequestsError).retryAfterSeconds).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(server.requests).toHaveLength(1);
  });

  it('a refused connection: NetworkError saying how many attempts over how long, and what to check', async () => {
    const t = use(config('http://127.0.0.1:1'), { retry: { limit: 3, baseDelayMs: 5 } });
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/after 4 attempts over \d+ ms; check that the API server is running and reachable/);
  });

  it('the timeout covers the call (RequestTimeoutError); the caller\'s signal aborts it (AbortedError)', async () => {
    server = await startServer(() => undefined);
    const t = use(config(server.url), { timeoutMs: 200 });
    const started = Date.now();
    await expect(t.request({ method: 'GET', path: '/slow' })).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(t.request({ method: 'GET', path: '/slow', signal: ac.signal, timeoutMs: false })).rejects.toBeInstanceOf(AbortedError);
  });

  it('body caps: past the per-call cap (streamed or declared) ResponseTooLargeError; a huge error body is cut and still typed', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * MiB + 2) });
        return void res.end(`"${'x'.repeat(2 * MiB)}"`);
      }
      if (req.url === '/error') return json(res, 429, status(429, 'TooManyRequests', 'm'.repeat(MiB)));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`"${'x'.repeat(MiB)}`);
      res.end(`${'x'.repeat(MiB)}"`);
    });
    const t = use(config(server.url), { retry: false });
    for (const path of ['/streamed', '/declared']) {
      const err = await t.request({ method: 'GET', path, maxResponseBytes: MiB }).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(ResponseTooLargeError);
      expect((err as ResponseTooLargeError).kind).toBe('bytes');
    }
    expect((await t.requestText({ method: 'GET', path: '/streamed' })).length).toBe(2 * MiB + 2);
    const err = await t.request({ method: 'GET', path: '/error' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
  });

  it('after a 401 the credentials are refreshed once and the call retried', async () => {
    let n = 0;
    const creds: CredentialProvider = { kind: 'rotating', get: async () => ({ authorization: `Bearer token-${n}` }), invalidate: () => (n++, true) };
    server = await startServer((req, res) => req.headers.authorization === 'Bearer token-1' ? json(res, 200, { ok: 1 }) : json(res, 401, status(401, 'Unauthorized', 'no')));
    const t = use(config(server.url, { credentials: creds }));
    expect(await t.request({ method: 'GET', path: '/api' })).toEqual({ ok: 1 });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-0', 'Bearer token-1']);
  });

  it('a stream hands over chunks as they come, through the shared watch decoder; a dropped connection ends it with NetworkError', async () => {
    server = await startServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n{"type":"MODIFIED",`);
      setTimeout(() => res.write(`"object":{"metadata":{"name":"a"}}}\n`), 30);
      setTimeout(() => res.socket?.destroy(), 60);
    });
    const t = use(config(server.url));
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of watchStream<{ metadata: { name: string } }>(t, '/api/v1/pods')) seen.push(`${e.type}:${(e.object as { metadata: { name: string } }).metadata.name}`);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['ADDED:a', 'MODIFIED:a']);
    expect(err).toBeInstanceOf(NetworkError);
  });

  it('cancel() ends a stream that would run forever', async () => {
    server = await startServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED","object":{}}\n');
    });
    const t = use(config(server.url));
    const s = await t.stream({ method: 'GET', path: '/api/v1/pods', query: { watch: true } });
    const it = s.body[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    s.cancel();
    const next = await Promise.race([it.next().then(() => 'ended', () => 'ended'), new Promise((r) => setTimeout(() => r('hung'), 2000))]);
    expect(next).toBe('ended');
  });

  it('no secret out: a token and basic-auth pair echoed in Warnings and Status are scrubbed; debug events redact authorization', async () => {
    server = await startServer((req, res) => {
      const auth = String(req.headers.authorization ?? '');
      const value = auth.replace(/^\S+\s+/, '');
      const plain = /^basic/i.test(auth) ? Buffer.from(value, 'base64').toString('utf8') : value;
      res.setHeader('warning', [`299 - "your header was ${auth}"`, `299 - "token ${plain}"`, `299 - "encoded ${b64(plain)}"`].join(', '));
      if (req.url?.startsWith('/fail')) return json(res, 400, status(400, 'BadRequest', `bad credential ${plain} / ${b64(plain)}`));
      json(res, 200, {});
    });
    const warnings: KubeWarning[] = [];
    const events: DebugEvent[] = [];
    const t = use(config(server.url, { credentials: new StaticTokenCredentials(TOKEN) }), { onWarning: (w) => warnings.push(w), onDebug: (e) => events.push(e) });
    await t.request({ method: 'GET', path: '/api' });
    expect(warnings).toHaveLength(3);
    const password = 'hunter2-very-secret';
    const basic = use(config(server.url, { credentials: new BasicAuthCredentials('alice', password) }), { retry: false, onWarning: (w) => warnings.push(w) });
    const err = await basic.request({ method: 'GET', path: '/fail' }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('BadRequestError');
    await t.close(0);
    const everything = `${JSON.stringify(warnings)} ${JSON.stringify(events)} ${(err as Error).message} ${JSON.stringify((err as { status?: unknown }).status)}`;
    for (const s of [TOKEN, b64(TOKEN), password, `alice:${password}`, b64(`alice:${password}`)]) expect(everything).not.toContain(s);
    expect(events.find((e) => e.type === 'request')).toMatchObject({ headers: { authorization: expect.stringMatching(/redacted/) } });
  });

  it('user:password@ in the server URL is never shown in errors or debug events', async () => {
    const events: DebugEvent[] = [];
    const t = use(config('http://admin:pa55w0rd-in-url@127.0.0.1:1'), { retry: { limit: 1, baseDelayMs: 1 }, onDebug: (e) => events.push(e) });
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toContain('http://127.0.0.1:1');
    expect(`${(err as Error).message} ${JSON.stringify(events)}`).not.toMatch(/pa55w0rd|admin:/);
  });
});
