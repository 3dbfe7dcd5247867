// Unit: Kube runs on any KubeTransport — here a small in-memory one — so fakes and other wires can stand in for node:http.
import { describe, expect, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { NoCredentials } from '../../src/config/credentials.js';
import { NotFoundError, errorFromStatus } from '../../src/core/errors.js';
import type { KubeTransport, RequestOptions, StreamResponse, UpgradeResponse } from '../../src/transport/kube-transport.js';

/** Serves GET/POST of ConfigMaps from a Map; everything else is refused. */
class MemoryTransport implements KubeTransport {
  readonly config = new ClusterConfig({ server: 'https://memory.invalid', credentials: new NoCredentials() });
  readonly objects = new Map<string, unknown>();
  readonly calls: string[] = [];
  async request<T>(o: RequestOptions): Promise<T> {
    this.calls.push(`${o.method} ${o.path}`);
    if (o.method === 'POST') {
      const body = o.body as { metadata: { name: string } };
      this.objects.set(`${o.path}/${body.metadata.name}`, body);
      return body as T;
    }
    const found = this.objects.get(o.path);
    if (found === undefined) throw errorFromStatus({ kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound', message: `${o.path} not found` }, o);
    return found as T;
  }
  async requestText(o: RequestOptions): Promise<string> {
    return JSON.stringify(await this.request(o));
  }
  stream(): Promise<StreamResponse> {
    return Promise.reject(new Error('not in memory'));
  }
  upgrade(): Promise<UpgradeResponse> {
    return Promise.reject(new Error('not in memory'));
  }
  async close(): Promise<void> {}
}

describe('the transport seam', () => {
  it('Kube takes an injected KubeTransport and sends every call through it', async () => {
    const transport = new MemoryTransport();
    const kube = new Kube(transport.config, { transport, validate: false });
    expect(kube.transport).toBe(transport);
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'a' }, data: { k: 'v' } });
    expect((await cms.get('a')).data).toEqual({ k: 'v' });
    await expect(cms.get('missing')).rejects.toBeInstanceOf(NotFoundError);
    expect(transport.calls).toEqual(['POST /api/v1/namespaces/default/configmaps', 'GET /api/v1/namespaces/default/configmaps/a', 'GET /api/v1/namespaces/default/configmaps/missing']);
    await kube.close();
  });
});
