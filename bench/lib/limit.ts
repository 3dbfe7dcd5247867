/** The "limit" sides: raw undici (HTTP/1.1) or node:http2, plus JSON.parse — the least work a client can do for the same wire traffic. */
import { type ClientHttp2Session, connect } from 'node:http2';
import { load } from './child.js';
import type { ClusterFacts, Undici, UndiciDispatcher } from './peer-types.js';

export async function limitAgent(cluster: ClusterFacts): Promise<{ agent: UndiciDispatcher; origin: string; headers: Record<string, string> }> {
  const undici = await load<Undici>('undici');
  const connect: Record<string, unknown> = {};
  if (cluster.ca) connect.ca = cluster.ca;
  if (cluster.cert) connect.cert = cluster.cert;
  if (cluster.key) connect.key = cluster.key;
  const url = new URL(cluster.server);
  return { agent: new undici.Agent({ connect, keepAliveTimeout: 60_000 }), origin: url.origin, headers: { accept: 'application/json' } };
}

/** GET + JSON.parse; a non-2xx answer is an error. */
export async function getJson<T>(agent: UndiciDispatcher, origin: string, path: string, headers: Record<string, string>): Promise<T> {
  const res = await agent.request({ origin, path, method: 'GET', headers });
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`GET ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** One HTTP/2 session to the cluster with its TLS client certificate (as client-go speaks to it). */
export function limitSession(cluster: ClusterFacts): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(cluster.server, {
      ...(cluster.ca ? { ca: cluster.ca } : {}), ...(cluster.cert ? { cert: cluster.cert } : {}), ...(cluster.key ? { key: cluster.key } : {}),
    });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** GET over HTTP/2 + JSON.parse; a non-2xx answer is an error. */
export function getJsonHttp2<T>(session: ClientHttp2Session, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, accept: 'application/json' });
    const chunks: Buffer[] = [];
    let status = 0;
    stream.once('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (status < 200 || status > 299) reject(new Error(`GET ${path}: ${status} ${text.slice(0, 200)}`));
      else resolve(JSON.parse(text) as T);
    });
    stream.once('error', reject);
    stream.end();
  });
}
