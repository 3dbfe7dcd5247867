// Unit: kubeconfig `disable-compression` reaches the wire (scripted local server records the request headers).
import { afterEach, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load.js';
import { Transport } from '../../src/transport/transport.js';
import { json, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const kubeconfig = (url: string, disable?: boolean) => `
apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster:
      server: ${url}
${disable === undefined ? '' : `      disable-compression: ${disable}\n`}users:
  - name: u
    user: { token: t0ken-value }
contexts:
  - name: x
    context: { cluster: c, user: u }
current-context: x
`;

describe('compression', () => {
  it.each([
    [true, 'identity'],
    [false, /gzip/],
    [undefined, /gzip/],
  ] as const)('disable-compression: %s → accept-encoding %s', async (disable, expected) => {
    server = await startServer((_q, res) => json(res, 200, { kind: 'Namespace' }));
    const config = await loadClusterConfig({ kubeconfigYaml: kubeconfig(server.url, disable) });
    expect(config.disableCompression).toBe(disable === true);
    const t = new Transport(config);
    await t.request({ method: 'GET', path: '/api/v1/namespaces/default' });
    const header = server.requests[0]!.headers['accept-encoding'];
    if (typeof expected === 'string') expect(header).toBe(expected);
    else expect(header).toMatch(expected);
    await t.close();
  });
});
