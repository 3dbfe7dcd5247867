/**
 * Child process for the memory tests: one GET of a hostile body, then the peak RSS. Prints
 * one JSON line: the error's name/reason/kind (or the body length) and RSS in MiB.
 * Args: server URL, path, [proxy URL].
 */
import { ClusterConfig } from '../../../src/config/cluster-config.js';
import { NoCredentials } from '../../../src/config/credentials.js';
import { Transport } from '../../../src/transport/transport.js';

const [server = '', path = '/', proxyUrl] = process.argv.slice(2);
const transport = new Transport(new ClusterConfig({ server, credentials: new NoCredentials(), ...(proxyUrl ? { proxyUrl } : {}) }), { retry: false, timeoutMs: 60_000 });
const mib = (kb: number): number => Math.round(kb / 1024);
const baseline = mib(process.memoryUsage().rss / 1024);
let outcome: Record<string, unknown>;
try {
  const text = await transport.requestText({ method: 'GET', path });
  outcome = { length: text.length };
} catch (e) {
  const err = e as Error & { reason?: string; kind?: string };
  outcome = { name: err.name, reason: err.reason, kind: err.kind };
}
await transport.close();
console.log(JSON.stringify({ ...outcome, baselineMiB: baseline, peakMiB: mib(process.resourceUsage().maxRSS) }));
