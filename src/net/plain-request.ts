/**
 * A one-off HTTPS request outside any cluster (OIDC discovery and token refresh): system
 * CAs or the given one, proxies from the environment like the cluster requests, no
 * retries, and a small cap on the answer (these are short JSON documents).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readText } from './body.js';
import { createConnector } from './connector.js';
import { hostOf } from './proxy.js';

export interface PlainResponse {
  readonly status: number;
  readonly text: string;
}

/** OIDC discovery documents and token answers are a few KB. */
const MAX_PLAIN_BYTES = 1024 * 1024;

export async function plainRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string; signal?: AbortSignal | undefined }): Promise<PlainResponse> {
  const u = new URL(url);
  const method = init.method ?? 'GET';
  const connector = createConnector({ tls: { insecureSkipTlsVerify: false, ...(init.ca ? { ca: init.ca } : {}) } });
  try {
    return await new Promise<PlainResponse>((resolve, reject) => {
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)({
        protocol: u.protocol, hostname: hostOf(u), port: u.port, path: u.pathname + u.search, method,
        headers: { 'accept-encoding': 'identity', ...init.headers, ...(init.body !== undefined ? { 'content-length': Buffer.byteLength(init.body) } : {}) },
        agent: connector.agentFor(u), ...(init.signal ? { signal: init.signal } : {}),
      }, (res) => {
        readText(res, { maxBytes: MAX_PLAIN_BYTES, maxRatio: 1, encodings: [] }, { method, path: u.pathname })
          .then((text) => resolve({ status: res.statusCode ?? 0, text }), reject);
      });
      req.once('error', reject);
      req.end(init.body);
    });
  } finally {
    connector.destroy();
  }
}
