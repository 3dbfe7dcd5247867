// Integration (real kube-apiserver v1.37 + kwok's ClusterPortForward, as testenv sets it up:
// pod ports 7 and 17 run `cat` per connection (echo), pod port 9 dials a closed port, every
// other port reaches a local HTTP server): port-forward over the SPDY tunnel (one WebSocket,
// SPDY/3.1+portforward.k8s.io, relayed by the API server to the node's SPDY server) and over
// the fallback (a v4.channel.k8s.io WebSocket per connection, `tunnel: false`) — every case
// runs on both: many connections, faults, cleanup; half-close on the tunnel.
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../src/core/errors.js';
import { Kube } from '../../src/kube.js';
import { PortForwardError } from '../../src/streams/errors.js';
import { restrictedKubeconfig } from '../client/cluster.js';
import { connectAs, deleteNamespace, runningPod, streamsKube } from './support/pods.js';
import { activeResources, extraResources } from './support/resources.js';
import { tcpProxy } from './support/tcp-proxy.js';

const BODY = 'hello from kubefluent testenv port-forward\n';
let kube: Kube;
let ns: string;
const name = 'p';

beforeAll(async () => {
  kube = await streamsKube();
  ({ ns } = await runningPod(kube));
});
afterAll(async () => {
  deleteNamespace(ns);
  await kube.close();
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends `data` and reads the same number of bytes back; returns their sha256. */
async function echo(port: number, data: Buffer): Promise<string> {
  const s = await open(port);
  const h = createHash('sha256');
  let got = 0;
  const done = new Promise<void>((resolve, reject) => {
    s.on('data', (c: Buffer) => {
      h.update(c);
      got += c.length;
      if (got >= data.length) resolve();
    });
    s.once('error', reject);
    s.once('close', () => (got >= data.length ? resolve() : reject(new Error(`closed after ${got} of ${data.length} bytes`))));
  });
  s.write(data);
  await done;
  s.destroy();
  return h.digest('hex');
}

async function httpGet(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
  return res.text();
}

describe.each([
  { tunnel: true, protocol: 'SPDY/3.1+portforward.k8s.io' },
  { tunnel: false, protocol: 'v4.channel.k8s.io' },
] as const)('port-forward over $protocol', ({ tunnel, protocol }) => {
  it('carries 100 concurrent connections through two forwarded ports, 100 MiB each way with matching checksums', async () => {
    const errors: PortForwardError[] = [];
    const fwd = await kube.pods.namespace(ns).portForward(name, [':7', ':17'], { tunnel, onError: (e) => errors.push(e) });
    try {
      expect(fwd.ports.map((p) => p.remote)).toEqual([7, 17]);
      expect(fwd.ports.every((p) => p.local > 0)).toBe(true);
      const payloads = Array.from({ length: 100 }, () => randomBytes(1 << 20));
      const sums = await Promise.all(payloads.map((d, i) => echo(fwd.ports[i % 2]!.local, d)));
      sums.forEach((sum, i) => expect(sum).toBe(createHash('sha256').update(payloads[i]!).digest('hex')));
      expect(errors).toEqual([]);
    } finally {
      await fwd.close();
    }
  }, 300_000);

  it('reports a refused pod port per connection while the other ports keep serving', async () => {
    const errors: PortForwardError[] = [];
    const fwd = await kube.pods.namespace(ns).portForward(name, [':9', ':8080', ':7'], { tunnel, onError: (e) => errors.push(e) });
    try {
      const [refused, http, echoPort] = fwd.ports.map((p) => p.local) as [number, number, number];
      const s = await open(refused);
      const data: Buffer[] = [];
      s.on('data', (c: Buffer) => data.push(c));
      await new Promise<void>((r) => s.once('close', () => r()));
      expect(Buffer.concat(data).length).toBe(0);
      await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(1);
      expect(errors[0]).toBeInstanceOf(PortForwardError);
      expect(errors[0]!.reason).toBe('RemotePortError');
      expect(errors[0]!.remotePort).toBe(9);
      expect(errors[0]!.localPort).toBe(refused);
      expect(errors[0]!.message).toContain('connection refused');
      // still serving, on every port
      expect(await httpGet(http)).toBe(BODY);
      const d = randomBytes(1000);
      expect(await echo(echoPort, d)).toBe(createHash('sha256').update(d).digest('hex'));
      await expect.poll(() => fwd.activeConnections, { timeout: 5000 }).toBe(0);
    } finally {
      await fwd.close();
    }
  });

  it('closing the forwarder closes every listener and connection; nothing stays behind', async () => {
    const baseline = activeResources();
    const fwd = await kube.pods.namespace(ns).portForward(name, [':7', ':8080'], { tunnel });
    const [echoPort, http] = fwd.ports.map((p) => p.local) as [number, number];
    expect(await httpGet(http)).toBe(BODY);
    const held = await open(echoPort);
    held.write('x');
    await new Promise<void>((r) => held.once('data', () => r()));
    const closed = new Promise<void>((r) => held.once('close', () => r()));
    await fwd.close();
    await closed;
    await expect(open(echoPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(open(http)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await extraResources(baseline)).toEqual({});
  });

  it('a connection cut mid-stream (TCP relay to the API server): ConnectionLost for it, the forwarder keeps serving, nothing left open', async () => {
    const baseline = activeResources();
    const relay = await tcpProxy(kube.transport.config);
    const viaRelay = new Kube(relay.config);
    const errors: PortForwardError[] = [];
    const fwd = await viaRelay.pods.namespace(ns).portForward(name, [':7'], { tunnel, onError: (e) => errors.push(e) });
    try {
      const port = fwd.ports[0]!.local;
      const s = await open(port);
      s.write('ping');
      await new Promise<void>((r) => s.once('data', () => r()));
      const closed = new Promise<void>((r) => s.once('close', () => r()));
      s.on('error', () => {});
      relay.cut();
      await closed;
      await expect.poll(() => errors.map((e) => e.reason), { timeout: 10_000 }).toEqual(['ConnectionLost']);
      expect(errors[0]!.localPort).toBe(port);
      const d = randomBytes(4096);
      expect(await echo(port, d)).toBe(createHash('sha256').update(d).digest('hex'));
    } finally {
      await fwd.close();
      await viaRelay.close();
      await relay.close();
    }
    expect(await extraResources(baseline)).toEqual({});
  });

  it('an abort signal closes it too', async () => {
    const ac = new AbortController();
    const fwd = await kube.pods.namespace(ns).portForward(name, [':8080'], { tunnel, signal: ac.signal });
    expect(await httpGet(fwd.ports[0]!.local)).toBe(BODY);
    ac.abort();
    await expect.poll(async () => open(fwd.ports[0]!.local).then((s) => s.destroy(), (e: NodeJS.ErrnoException) => e.code), { timeout: 5000 }).toBe('ECONNREFUSED');
  });

  it('a local port already taken: ListenFailed, and no listener left open', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const baseline = activeResources();
    try {
      const err = await kube.pods.namespace(ns).portForward(name, [':8080', `${port}:80`], { tunnel }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortForwardError);
      expect((err as PortForwardError).reason).toBe('ListenFailed');
      expect((err as PortForwardError).message).toContain(`127.0.0.1:${port}`);
      expect(await extraResources(baseline)).toEqual({});
    } finally {
      taken.close();
    }
  });

  it('opens a duplex byte stream to a pod port without a listener', async () => {
    const stream = await kube.pods.namespace(ns).openPort(name, 8080, { tunnel });
    expect(stream.protocol).toBe(protocol);
    await stream.write('GET / HTTP/1.0\r\nhost: pod\r\n\r\n');
    let text = '';
    for await (const c of stream) {
      text += Buffer.from(c).toString();
      if (text.endsWith(BODY)) break;
    }
    stream.close();
    expect(text.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(text.endsWith(`\r\n\r\n${BODY}`)).toBe(true);
    expect(await stream.done).toBeUndefined();

    const refused = await kube.pods.namespace(ns).openPort(name, 9, { tunnel });
    const err = await (async () => {
      for await (const _ of refused) { /* nothing arrives */ }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortForwardError);
    expect((err as PortForwardError).reason).toBe('RemotePortError');
  });

  it(tunnel ? 'half-close: after end(), the pod reads end-of-file, its answer still comes, then the stream ends cleanly' : 'half-close: end() is HalfCloseUnsupported, the connection goes on', async () => {
    const baseline = activeResources();
    const stream = await kube.pods.namespace(ns).openPort(name, 7, { tunnel });
    const data = randomBytes(200_000);
    await stream.write(data);
    if (tunnel) {
      // `cat` echoes what it has read, and exits at end-of-file: the node then ends the stream.
      await stream.end();
      const got: Uint8Array[] = [];
      for await (const c of stream) got.push(c);
      expect(Buffer.compare(Buffer.concat(got), data)).toBe(0);
      expect(await stream.done).toBeUndefined();
    } else {
      await expect(stream.end()).rejects.toMatchObject({ reason: 'HalfCloseUnsupported' });
      let n = 0;
      for await (const c of stream) {
        n += c.length;
        if (n >= data.length) break;
      }
      expect(n).toBe(data.length);
      stream.close();
      expect(await stream.done).toBeUndefined();
    }
    expect(await extraResources(baseline)).toEqual({});
  });

  it(tunnel ? 'the local client\'s EOF reaches the pod through a forwarder (FIN); the answer still comes, then the end' : 'the local client\'s EOF ends the connection (v4.channel.k8s.io cannot pass it on)', async () => {
    const fwd = await kube.pods.namespace(ns).portForward(name, [':7'], { tunnel });
    try {
      const s = await open(fwd.ports[0]!.local);
      const got: Buffer[] = [];
      s.on('data', (c: Buffer) => got.push(c));
      const ended = new Promise<boolean>((r) => {
        s.once('end', () => r(true));
        setTimeout(() => r(false), 3000).unref();
      });
      s.end('half-closed\n');
      // Over the tunnel `cat` sees end-of-file, echoes, exits, and the connection ends from the
      // pod's side; v4.channel.k8s.io cannot pass the EOF on, so the forwarder ends the local
      // side at once (and the echo may not make it).
      expect(await ended).toBe(true);
      if (!tunnel) return void s.destroy();
      expect(Buffer.concat(got).toString()).toBe('half-closed\n');
      s.destroy();
    } finally {
      await fwd.close();
    }
  });

  it('the restricted user: Forbidden from openPort, and per connection from a forwarder', async () => {
    const restricted = await connectAs(restrictedKubeconfig());
    try {
      await expect(restricted.pods.namespace(ns).openPort(name, 8080, { tunnel })).rejects.toBeInstanceOf(ForbiddenError);
      const errors: PortForwardError[] = [];
      const fwd = await restricted.pods.namespace(ns).portForward(name, [':8080'], { tunnel, onError: (e) => errors.push(e) });
      try {
        await expect(httpGet(fwd.ports[0]!.local)).rejects.toThrow();
        await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(1);
        expect(errors[0]!.reason).toBe('ConnectFailed');
        expect(errors[0]!.cause).toBeInstanceOf(ForbiddenError);
      } finally {
        await fwd.close();
      }
    } finally {
      await restricted.close();
    }
  });
});
