/** A TCP relay on 127.0.0.1 in front of the real API server, so a test can cut live connections. */
import { connect, createServer, type Socket } from 'node:net';
import { ClusterConfig } from '../../../src/config/cluster-config.js';

export interface TcpProxy {
  /** The cluster config of `config`, pointed at the relay. */
  readonly config: ClusterConfig;
  /** Destroys every connection open now (the relay keeps accepting new ones). */
  cut(): void;
  close(): Promise<void>;
}

export async function tcpProxy(config: ClusterConfig): Promise<TcpProxy> {
  const target = new URL(config.server);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    config: new ClusterConfig({
      server: `https://127.0.0.1:${(server.address() as { port: number }).port}`, namespace: config.namespace, tls: config.tls,
      credentials: config.credentials, ...(config.clientCertificate ? { clientCertificate: config.clientCertificate } : {}),
    }),
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
