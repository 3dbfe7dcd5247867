/** The "limit" side: raw undici plus JSON.parse, the least work a client can do for the same wire traffic. */
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
