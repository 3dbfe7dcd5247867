/** Test helpers: a scripted local HTTP(S) server for fault injection, and a throwaway PKI. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterConfig, type ClusterConfigInit } from '../../src/config/cluster-config.js';
import { NoCredentials } from '../../src/config/credentials.js';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawHeaders: string[];
  readonly body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void;

export interface TestServer {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler, tls?: { key: string; cert: string }): Promise<TestServer> {
  const requests: Recorded[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
      handler(req, res, body, requests.length);
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest) : createHttpServer(onRequest);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function status(code: number, reason: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...extra };
}

export function config(server: string, init: Partial<ClusterConfigInit> = {}): ClusterConfig {
  return new ClusterConfig({ server, credentials: new NoCredentials(), ...init });
}

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caFile: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly otherCaCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

let cached: Pki | undefined;

/** A CA, a serving certificate for 127.0.0.1, a client certificate, and an unrelated CA. */
export function makePki(): Pki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'kf-pki-'));
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const ca = (name: string): void => {
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  };
  ca('ca');
  ca('other-ca');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kube.test\n');
  const leaf = (name: string, cn: string, ext: boolean): void => {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...(ext ? ['-extfile', 'san.ext'] : []));
  };
  leaf('server', '127.0.0.1', true);
  leaf('client', 'tester', false);
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  cached = {
    dir, caCert: read('ca.crt'), caFile: join(dir, 'ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'),
    otherCaCert: read('other-ca.crt'), clientCert: read('client.crt'), clientKey: read('client.key'),
  };
  return cached;
}

/**
 * A minimal HTTP CONNECT proxy on 127.0.0.1 that records the targets it tunnels to. Names
 * under `.test` resolve to 127.0.0.1 here, so a test can reach a local server under a
 * name that is not loopback (loopback is never proxied from the environment, nor gzip'd).
 */
export async function startConnectProxy(): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const proxy = createHttpServer();
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host = '', port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host.endsWith('.test') ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    },
  };
}

/** A minimal SOCKS5 proxy (RFC 1928, optional RFC 1929 user/password) that records CONNECT targets. */
export async function startSocksProxy(auth?: { user: string; pass: string }): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createNetServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let buf = Buffer.alloc(0);
    let step: 'hello' | 'auth' | 'connect' | 'piped' = 'hello';
    client.on('data', (d: Buffer) => {
      if (step === 'piped') return;
      buf = Buffer.concat([buf, d]);
      if (step === 'hello') {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        const methods = [...buf.subarray(2, 2 + buf[1]!)];
        buf = buf.subarray(2 + buf[1]!);
        const want = auth ? 2 : 0;
        if (!methods.includes(want)) return void client.end(Buffer.from([5, 0xff]));
        client.write(Buffer.from([5, want]));
        step = auth ? 'auth' : 'connect';
        return;
      }
      if (step === 'auth') {
        const ul = buf[1]!;
        const pl = buf[2 + ul]!;
        if (buf.length < 3 + ul + pl) return;
        const ok = buf.subarray(2, 2 + ul).toString() === auth?.user && buf.subarray(3 + ul, 3 + ul + pl).toString() === auth.pass;
        buf = buf.subarray(3 + ul + pl);
        if (!ok) return void client.end(Buffer.from([1, 1]));
        client.write(Buffer.from([1, 0]));
        step = 'connect';
        return;
      }
      if (buf.length < 5) return;
      const atyp = buf[3]!;
      const len = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
      if (buf.length < 4 + len + 2) return;
      const host = atyp === 1 ? [...buf.subarray(4, 8)].join('.') : atyp === 3 ? buf.subarray(5, 5 + buf[4]!).toString() : '::';
      const port = buf.readUInt16BE(4 + len);
      const rest = buf.subarray(4 + len + 2);
      connects.push(`${host}:${port}`);
      step = 'piped';
      const upstream = connect(port, host, () => {
        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        if (rest.length) upstream.write(rest);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `socks5://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => proxy.close(r));
    },
  };
}
