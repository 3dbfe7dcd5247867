import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

/**
 * The launcher's own minimal HTTPS client (admin client certificate, the throwaway CA).
 * testenv stays independent of the library it tests: it never imports src/.
 */
export class AdminHttp {
  private readonly agent: Agent;

  constructor(
    private readonly server: string,
    caFile: string,
    certFile: string,
    keyFile: string,
  ) {
    this.agent = new Agent({
      ca: readFileSync(caFile),
      cert: readFileSync(certFile),
      key: readFileSync(keyFile),
      keepAlive: true,
      maxSockets: 8,
    });
  }

  async call(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return await new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as T;
  }

  /** Create, tolerating "already exists" so start-up steps can be retried. */
  async ensure(path: string, body: unknown): Promise<void> {
    const res = await this.call('POST', path, body);
    if (res.status >= 300 && res.status !== 409) {
      throw new Error(`POST ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
