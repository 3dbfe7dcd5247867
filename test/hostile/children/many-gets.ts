/**
 * Child process for the pool tests: N concurrent GETs sharing one AbortSignal, against a
 * server URL (no credentials) or a kubeconfig. Prints one JSON line: ok/failed counts and
 * the first failure. Run under `ulimit -n 1024` by the tests.
 */
import { ClusterConfig } from '../../../src/config/cluster-config.js';
import { NoCredentials } from '../../../src/config/credentials.js';
import { loadClusterConfig } from '../../../src/config/load.js';
import { Transport } from '../../../src/transport/transport.js';

const [target = '', countText = '2000', path = '/api/v1/namespaces/default'] = process.argv.slice(2);
const config = target.startsWith('http') ? new ClusterConfig({ server: target, credentials: new NoCredentials() }) : await loadClusterConfig({ kubeconfig: target });
const transport = new Transport(config, { timeoutMs: 120_000 });
const shared = new AbortController();
let ok = 0;
const failures: string[] = [];
await Promise.all(Array.from({ length: Number(countText) }, async () => {
  try {
    await transport.request({ method: 'GET', path, signal: shared.signal });
    ok++;
  } catch (e) {
    failures.push(`${(e as Error).name}: ${(e as Error).message}`);
  }
}));
await transport.close();
console.log(JSON.stringify({ ok, failed: failures.length, first: failures[0] }));
