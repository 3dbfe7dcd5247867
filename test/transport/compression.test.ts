// Unit: kubeconfig `disable-compression` reaches the wire (scripted local server records the request headers).
import { afterEach, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load.js';
import { gzipSync } from 'node:zlib';
import { isLoopback, Transport } from '../../src/transport/transport.js';
import { json, startConnectProxy, startServer, type TestServer } from './helpers.js';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { ResponseEncodingError } from '../../src/net/response-errors.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const kubeconfig = (url: string, disable?: boolean) => `
apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster:
      server: ${url}
${disable === undefined ? '' : `      disable-compression: ${disable}\n`}users:
  - name: u
    user: { token: t0ken-value }
contexts:
  - name: x
    context: { cluster: c, user: u }
current-context: x
`;

describe('compression', () => {
  it.each([
    [true, 'identity'],
    [false, 'identity'],
    [undefined, 'identity'],
  ] as const)('disable-compression: %s on a loopback server → accept-encoding %s', async (disable, expected) => {
    server = await startServer((_q, res) => json(res, 200, { kind: 'Namespace' }));
    const config = await loadClusterConfig({ kubeconfigYaml: kubeconfig(server.url, disable) });
    expect(config.disableCompression).toBe(disable === true);
    const t = new Transport(config);
    await t.request({ method: 'GET', path: '/api/v1/namespaces/default' });
    const header = server.requests[0]!.headers['accept-encoding'];
    expect(header).toBe(expected);
    await t.close();
  });

  it('asks for gzip only from servers off this machine', () => {
    expect(['https://127.0.0.1:6443', 'https://localhost:6443', 'https://[::1]:6443', 'http://127.3.2.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['https://10.0.0.1:6443', 'https://api.example.com', 'https://[2001:db8::1]:6443'].map(isLoopback)).toEqual([false, false, false]);
  });

  it('decodes a gzip answer it asked for, whole and streamed (server off this machine, through a proxy)', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: `cm-${i}` } } })).join('\n');
    server = await startServer((q, res) => {
      const body = q.url?.includes('watch') ? `${lines}\n` : JSON.stringify({ kind: 'Namespace', metadata: { name: 'default' } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
    });
    const proxy = await startConnectProxy();
    try {
      // kube.test is not loopback, so the client asks for gzip; the proxy maps it to 127.0.0.1.
      const config = await loadClusterConfig({ kubeconfigYaml: kubeconfig(server.url.replace('127.0.0.1', 'kube.test')) });
      const t = new Transport(new ClusterConfig({ server: config.server, credentials: config.credentials, proxyUrl: proxy.url }));
      await expect(t.request({ method: 'GET', path: '/api/v1/namespaces/default' })).resolves.toEqual({ kind: 'Namespace', metadata: { name: 'default' } });
      expect(server.requests[0]!.headers['accept-encoding']).toBe('gzip');
      const s = await t.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: true } });
      const chunks: Buffer[] = [];
      for await (const c of s.body) chunks.push(Buffer.from(c));
      expect(Buffer.concat(chunks).toString()).toBe(`${lines}\n`);
      await t.close();
    } finally {
      await proxy.close();
    }
  });

  it('rejects a compressed answer it did not ask for with ResponseEncodingError, whole and streamed', async () => {
    server = await startServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ kind: 'Namespace' })));
    });
    const config = await loadClusterConfig({ kubeconfigYaml: kubeconfig(server.url) });
    const t = new Transport(config);
    const err = await t.request({ method: 'GET', path: '/api/v1/namespaces/default' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseEncodingError);
    expect((err as ResponseEncodingError).reason).toBe('UnexpectedEncoding');
    expect(server.requests[0]!.headers['accept-encoding']).toBe('identity');
    await expect(t.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: true } })).rejects.toBeInstanceOf(ResponseEncodingError);
    await t.close();
  });
});
