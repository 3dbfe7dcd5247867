/**
 * A one-off HTTPS request outside any cluster (OIDC discovery and token refresh): system
 * CAs or the given one, proxies from the environment like the cluster requests, no retries.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createConnector, hostOf } from './agent.js';

export interface PlainResponse {
  readonly status: number;
  readonly text: string;
}

export async function plainRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string; signal?: AbortSignal | undefined }): Promise<PlainResponse> {
  const u = new URL(url);
  const connector = createConnector({ tls: { insecureSkipTlsVerify: false, ...(init.ca ? { ca: init.ca } : {}) } });
  try {
    return await new Promise<PlainResponse>((resolve, reject) => {
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)({
        protocol: u.protocol, hostname: hostOf(u), port: u.port, path: u.pathname + u.search, method: init.method ?? 'GET',
        headers: { ...init.headers, ...(init.body !== undefined ? { 'content-length': Buffer.byteLength(init.body) } : {}) },
        agent: connector.agentFor(u), ...(init.signal ? { signal: init.signal } : {}),
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', reject);
        res.once('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.once('error', reject);
      req.end(init.body);
    });
  } finally {
    connector.destroy();
  }
}
