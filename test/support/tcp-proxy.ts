/**
 * A TCP proxy in front of the real API server, to inject what a real server won't do on
 * demand: connections cut at any moment, and a window in which no connection gets through.
 * It pipes bytes only; TLS stays end to end (the serving certificate covers 127.0.0.1).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';

export interface TcpProxy {
  /** https://127.0.0.1:<port>, to put in a kubeconfig instead of the real server. */
  readonly url: string;
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections cut by cutAll/cutRandom so far. */
  readonly cut: number;
  /** Destroys every open connection (both sides, no FIN: like a network failure). Returns how many. */
  cutAll(): number;
  /** Destroys each open connection with probability `p`. */
  cutRandom(p: number, random?: () => number): number;
  /** Refuses new connections (they are destroyed at once) until resume(). */
  block(): void;
  resume(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free 127.0.0.1 port that forwards to `target` (host:port or URL). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const u = new URL(target.includes('://') ? target : `tcp://${target}`);
  const host = u.hostname;
  const port = Number(u.port);
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let blocked = false;
  let accepted = 0;
  let cut = 0;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect({ host, port });
    const pair = { client, upstream };
    pairs.add(pair);
    const done = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');
  const destroy = (pair: { client: Socket; upstream: Socket }): void => {
    cut++;
    pairs.delete(pair);
    // resetAndDestroy sends RST where available: the peer sees ECONNRESET, as on a real network failure.
    if (typeof pair.client.resetAndDestroy === 'function') pair.client.resetAndDestroy();
    else pair.client.destroy();
    pair.upstream.destroy();
  };
  return {
    url: `https://127.0.0.1:${address.port}`,
    port: address.port,
    get open() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    get cut() {
      return cut;
    },
    cutAll() {
      const n = pairs.size;
      for (const p of [...pairs]) destroy(p);
      return n;
    },
    cutRandom(p, random = Math.random) {
      let n = 0;
      for (const pair of [...pairs]) {
        if (random() < p) {
          destroy(pair);
          n++;
        }
      }
      return n;
    },
    block() {
      blocked = true;
    },
    resume() {
      blocked = false;
    },
    close() {
      blocked = true;
      for (const p of [...pairs]) destroy(p);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a copy of `kubeconfigPath` whose cluster server is `server` (e.g. a proxy's url). */
export function kubeconfigVia(kubeconfigPath: string, server: string, outPath: string): string {
  const text = readFileSync(kubeconfigPath, 'utf8').replace(/server: *\S+/g, `server: ${server}`);
  writeFileSync(outPath, text, { mode: 0o600 });
  return outPath;
}
