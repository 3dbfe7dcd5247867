/**
 * The HTTP endpoints a kubelet and Prometheus call: `/healthz` (liveness), `/readyz`
 * (readiness, with the failing checks named in the body) and `/metrics` (text format 0.0.4).
 * node:http only; GET and HEAD; anything else is 404/405. It serves no secrets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js';

/** A named check: `undefined` when fine, a reason when not. */
export type HealthCheck = () => string | undefined;

export interface HealthServerOptions {
  readonly port: number;
  /** Default '0.0.0.0' (a kubelet probes the pod IP). */
  readonly host?: string;
  readonly liveness: Readonly<Record<string, HealthCheck>>;
  readonly readiness: Readonly<Record<string, HealthCheck>>;
  readonly metrics: () => string;
}

function run(checks: Readonly<Record<string, HealthCheck>>): { ok: boolean; body: string } {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of Object.entries(checks)) {
    let why: string | undefined;
    try {
      why = check();
    } catch (e) {
      why = `check threw: ${(e as Error).message}`;
    }
    if (why !== undefined) ok = false;
    lines.push(why === undefined ? `[+]${name} ok` : `[-]${name} failed: ${why}`);
  }
  lines.push(ok ? 'ok' : 'not ok');
  return { ok, body: `${lines.join('\n')}\n` };
}

export class HealthServer {
  readonly #server: Server;
  readonly #o: HealthServerOptions;

  constructor(options: HealthServerOptions) {
    this.#o = options;
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz' || path === '/livez' || path === '/readyz') {
        const r = run(path === '/readyz' ? this.#o.readiness : this.#o.liveness);
        res.writeHead(r.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : r.body);
        return;
      }
      if (path === '/metrics') {
        let text: string;
        try {
          text = this.#o.metrics();
        } catch (e) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(e as Error).message}\n`);
          return;
        }
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : text);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    // Probes must not hold the process open on shutdown.
    this.#server.keepAliveTimeout = 1000;
  }

  /** Listens; resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#o.port, this.#o.host ?? '0.0.0.0', () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
