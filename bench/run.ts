/**
 * `npm run bench`: every benchmark of kubefluent against its peers in one run, on Node 24.
 * Each side of each benchmark runs in its own fresh process, sides alternating run by run;
 * medians go to bench/results/latest.{json,md,svg}.
 *
 *   npm run bench                          the full run (6–12 minutes on 2 cores)
 *   npm run bench -- --smoke               tiny sizes, one run, results in bench/.work/smoke/ (KUBEFLUENT_BENCH_SMOKE=1 too)
 *   npm run bench -- --only watch,get      some benchmarks (footprint, import, bundle, validate, watch, list, get, informer, reconcile, streams, shard, fake, portable)
 *   npm run bench -- --runs 3 --out DIR    fewer runs; results elsewhere
 *
 * The cluster benchmarks use the cluster of KUBEFLUENT_TEST_KUBECONFIG, else start one testenv.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCluster, type BenchCluster } from './lib/cluster.js';
import { goPeer, runGo } from './lib/gopeer.js';
import { RESULTS, WORK } from './lib/paths.js';
import { command, runChild, startServer, timeUntilReady } from './lib/proc.js';
import { makeRow, pendingRows, problems, type Row, writeResults } from './lib/report.js';
import { portableRows } from './lib/portable-rows.js';
import { median } from './lib/stats.js';
import { CLIENT_NODE_READ_ONE_POD, pageBundle, portableBundle, READ_ONE_POD } from './lib/portable-bundle.js';
import { benchDeps, bundleGzip, caseScript, compileCases, footprint, freshDist, type Installed, installOurs, installPeer, node24, oursWithRuntime } from './lib/setup.js';

const BENCHMARKS = ['footprint', 'import', 'bundle', 'validate', 'watch', 'list', 'get', 'informer', 'reconcile', 'streams', 'shard', 'fake', 'portable'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: process.env.KUBEFLUENT_BENCH_SMOKE === '1' },
    only: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
  },
});
const smoke = args.smoke ?? false;
const only = new Set<string>(args.only ? args.only.split(',') : BENCHMARKS);
for (const b of only) if (!(BENCHMARKS as readonly string[]).includes(b)) throw new Error(`unknown benchmark ${b}; known: ${BENCHMARKS.join(', ')}`);
const want = (b: Benchmark): boolean => only.has(b);
const outDir = args.out ?? (smoke ? join(WORK, 'smoke') : RESULTS);

const sizes = smoke
  ? { watchEvents: 2_000, configMaps: 300, listLimit: 50, informerUpdates: 100, getRequests: 200, getConcurrency: 8, getWarmup: 16, validatePods: 300, fakeObjects: 300, execBytes: 8 << 20, forwardBytes: 8 << 20 }
  : { watchEvents: 100_000, configMaps: 10_000, listLimit: 500, informerUpdates: 5_000, getRequests: 2_000, getConcurrency: 32, getWarmup: 64, validatePods: 10_000, fakeObjects: 10_000, execBytes: 200 << 20, forwardBytes: 128 << 20 };
const runs = (full: number): number => (smoke ? 1 : args.runs ? Number(args.runs) : full);

const started = Date.now();
const loadAtStart = loadavg()[0]!;
const log = (m: string): void => {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);
};

/** Runs `measure` for each side `count` times, alternating the order of sides each run. */
async function alternate<S extends string>(label: string, sides: readonly S[], count: number, measure: (side: S, run: number) => Promise<Record<string, number>>): Promise<Record<S, Record<string, number>[]>> {
  const out = Object.fromEntries(sides.map((s) => [s, [] as Record<string, number>[]])) as Record<S, Record<string, number>[]>;
  for (let r = 0; r < count; r++) {
    const order = r % 2 ? [...sides].reverse() : sides;
    for (const side of order) {
      const result = await measure(side, r);
      out[side].push(result);
      log(`${label} run ${r + 1}/${count} ${side}: ${Object.entries(result).map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(' ')}`);
    }
  }
  return out;
}

const pick = (results: Record<string, number>[], key: string): number[] => results.map((r) => r[key]!);

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  /** Every run's value, by `name|peerName`, for latest.run.json. */
  const samples: Record<string, { ours: readonly number[]; peer: readonly number[] }> = {};
  const push = (name: string, unit: string, better: 'higher' | 'lower', peerName: string, ours: readonly number[], peer: readonly number[]): void => {
    samples[`${name}|${peerName}`] = { ours, peer };
    rows.push(makeRow(name, unit, better, peerName, ours, peer));
  };
  const node = await node24(log);
  const nodeVersion = (await command(node, ['--version'])).trim();
  log(`Node ${nodeVersion} at ${node}${smoke ? ' (smoke)' : ''}`);
  await benchDeps(log);
  await freshDist(log);
  await compileCases();
  const ours = await installOurs(log);
  const clientNode = await installPeer('client-node', '@kubernetes/client-node', log);
  const fluent = await installPeer('kubernetes-fluent-client', 'kubernetes-fluent-client', log);
  const oursEntry = join(ours.dir, 'node_modules', 'kubefluent', 'dist', 'index.js');
  const peers: readonly [string, Installed][] = [['client-node', clientNode], ['kubernetes-fluent-client', fluent]];
  // client-go and controller-runtime: one Go binary, built once per source hash (lib/gopeer.ts).
  const goBin = want('watch') || want('get') || want('informer') || want('reconcile') ? await goPeer(log) : undefined;
  if (goBin?.built) notes.push(`Go peers: built this run in ${goBin.seconds.toFixed(0)} s (cached afterwards).`);
  const go = (): string => {
    if (!goBin) throw new Error('the Go peers were not built');
    return goBin.path;
  };

  if (want('footprint')) {
    const mine = footprint(ours.dir);
    for (const [name, inst] of peers) {
      const theirs = footprint(inst.dir);
      push('install-bytes', 'bytes', 'lower', name, [mine.bytes], [theirs.bytes]);
      push('install-packages', 'packages', 'lower', name, [mine.packages], [theirs.packages]);
    }
    notes.push('install-*: a fresh `npm install` into an empty folder (ours from its `npm pack` tarball); bytes = sum of file sizes under node_modules. kubernetes-fluent-client 3.11.11 installs only with an override (quicktype-core 25.0.0 is not on the registry; 25.1.0 is used).');
  }

  if (want('import')) {
    const kubeconfig = join(WORK, 'import-kubeconfig.yaml');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: bench',
      'clusters:', '- name: bench', '  cluster:', '    server: https://127.0.0.1:6443', '    insecure-skip-tls-verify: true',
      'users:', '- name: bench', '  user:', '    token: bench-token',
      'contexts:', '- name: bench', '  context:', '    cluster: bench', '    user: bench', '    namespace: default', '',
    ].join('\n'));
    const scripts: Record<string, [Installed, string]> = {
      ours: [ours, `import { Kube } from 'kubefluent';\nconst kube = await Kube.connect({ kubeconfig: process.argv[2] });\nkube.pods.namespace('default');\nprocess.stdout.write('ready\\n');\n`],
      'client-node': [clientNode, `import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';\nconst kc = new KubeConfig();\nkc.loadFromFile(process.argv[2]);\nkc.makeApiClient(CoreV1Api);\nprocess.stdout.write('ready\\n');\n`],
      'kubernetes-fluent-client': [fluent, `import { K8s, kind } from 'kubernetes-fluent-client';\nK8s(kind.Pod).InNamespace('default');\nprocess.stdout.write('ready\\n');\n`],
      limit: [ours, `process.stdout.write('ready\\n');\n`],
    };
    for (const [side, [inst, source]] of Object.entries(scripts)) writeFileSync(join(inst.dir, `ready-${side}.mjs`), source);
    const env = { ...process.env, KUBECONFIG: kubeconfig };
    const res = await alternate('import-time', Object.keys(scripts), runs(9), async (side) => {
      const [inst] = scripts[side]!;
      return { ms: await timeUntilReady(node, [`ready-${side}.mjs`, kubeconfig], inst.dir, env) };
    });
    for (const peer of ['client-node', 'kubernetes-fluent-client', 'limit']) push('import-time', 'ms', 'lower', peer, pick(res.ours!, 'ms'), pick(res[peer]!, 'ms'));
    notes.push('import-time: wall time from spawning `node script.mjs` until the client is built and the script prints "ready" (ours: `Kube.connect({ kubeconfig })` + a pods handle; client-node: `loadFromFile` + `makeApiClient(CoreV1Api)`; fluent-client: `K8s(kind.Pod)`, which reads its kubeconfig lazily). limit = a bare Node process.');
  }

  if (want('bundle')) {
    const entries: [string, Installed, string][] = [
      ['ours', ours, `import { Kube } from 'kubefluent';\nconst kube = await Kube.connect();\nconst pod = await kube.pods.namespace('default').get('web');\nconsole.log(pod.metadata?.name);\n`],
      ['client-node', clientNode, `import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';\nconst kc = new KubeConfig();\nkc.loadFromDefault();\nconst pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: 'web', namespace: 'default' });\nconsole.log(pod.metadata?.name);\n`],
      ['kubernetes-fluent-client', fluent, `import { K8s, kind } from 'kubernetes-fluent-client';\nconst pod = await K8s(kind.Pod).InNamespace('default').Get('web');\nconsole.log(pod.metadata?.name);\n`],
    ];
    const sizesBy: Record<string, { bytes: number; gzip: number }> = {};
    for (const [side, inst, source] of entries) {
      sizesBy[side] = await bundleGzip(inst.dir, 'read-one-pod.mjs', source);
      log(`bundle ${side}: ${sizesBy[side]!.bytes} bytes minified, ${sizesBy[side]!.gzip} gzipped`);
    }
    for (const peer of ['client-node', 'kubernetes-fluent-client']) push('bundle-gzip', 'bytes', 'lower', peer, [sizesBy.ours!.gzip], [sizesBy[peer]!.gzip]);
    notes.push('bundle-gzip: a script that reads one Pod, bundled for Node by esbuild (ESM, minified, every dependency inlined), then gzip -9. One file: what the library loads on first use (the generated schemas and zod, for writes, which validate by default; the verbs; the streams) is inlined too.');

    // The same for a page (issue 18): ours from the fetch build (the `browser` export condition).
    const page = join(ours.dir, 'node_modules', ours.name);
    const browser = { rolldown: await portableBundle(page, ['browser'], 'browser'), esbuild: await portableBundle(page, ['browser'], 'browser', READ_ONE_POD, 'esbuild') };
    const peerOpts = { platform: 'browser', conditions: ['browser'], nodeBuiltins: 'external' } as const;
    const peer = { rolldown: await pageBundle(clientNode.dir, CLIENT_NODE_READ_ONE_POD, { ...peerOpts, bundler: 'rolldown' }), esbuild: await pageBundle(clientNode.dir, CLIENT_NODE_READ_ONE_POD, { ...peerOpts, bundler: 'esbuild' }) };
    for (const b of ['rolldown', 'esbuild'] as const) log(`browser bundle (${b}): ours ${browser[b].gzip} B gzip first load (+${browser[b].lazyGzip} B on demand), client-node ${peer[b].gzip} B (${peer[b].missing.length} Node built-ins left out)`);
    log(`browser bundle (rolldown), ours, largest modules of the first load: ${browser.rolldown.top.map(([m, n]) => `${m.replace(/^.*\/dist\//, 'dist/')} ${n}`).join(', ')}`);
    push('browser-bundle-gzip', 'bytes', 'lower', 'client-node', [browser.rolldown.gzip], [peer.rolldown.gzip]);
    notes.push(`browser-bundle-gzip: "read one Pod" for a page — ours \`new Kube(serverConfig({ server }))\` + one get, importing \`kubefluent\` through the \`browser\` export condition (dist/portable, the fetch build); client-node \`KubeConfig.loadFromOptions\` (a server URL, no files) + \`readNamespacedPod\` — bundled by rolldown (what Vite 8 builds pages with: ESM, minified, code split), gzip -9 of what loads before the first request (ours: ${browser.rolldown.lazyGzip} B more load on demand — the verbs, streams, schemas and zod). client-node cannot be bundled for a page: it imports ${peer.rolldown.missing.length} Node built-ins (${peer.rolldown.missing.join(', ')}), which esbuild refuses for platform=browser; it is bundled with them left as imports (no polyfills), so it would not run, and its size is a lower bound. With esbuild (splitting), whose chunks follow imports rather than use (a module the entry re-exports loads first even when only a lazy verb calls it): ours ${browser.esbuild.gzip} B, client-node ${peer.esbuild.gzip} B.`);
  }

  if (want('portable')) {
    const p = await portableRows({ node, ours, smoke, runs: runs(3), log, alternate });
    for (const r of p.rows) push(r.name, r.unit, r.better, r.peer, r.ours, r.theirs);
    notes.push(...p.notes);
  }

  if (want('validate')) {
    const res = await alternate('validate', ['ours', 'kubernetes-models'] as const, runs(5), (side) =>
      runChild(node, caseScript('validate'), { side, ours: oursEntry, count: sizes.validatePods }));
    push('validate-time', 'ms', 'lower', 'kubernetes-models', pick(res.ours, 'ms'), pick(res['kubernetes-models'], 'ms'));
    notes.push(`validate-time: ${sizes.validatePods.toLocaleString('en-US')} valid ~5.7 KB Pods, ours \`validate(pod, { mode: 'strict' })\` against kubernetes-models' precompiled Ajv validator for core/v1 Pod (what \`new Pod(data).validate()\` runs); first call included, imports not.`);
  }

  if (want('watch')) {
    let server: ChildProcess | undefined;
    try {
      log(`generating and serving ${sizes.watchEvents.toLocaleString('en-US')} Pod events`);
      const s = await startServer(node, caseScript('watch-server'), { events: sizes.watchEvents }, /PORT (\d+) BYTES (\d+)/);
      server = s.child;
      const url = `http://127.0.0.1:${s.match[1]}`;
      log(`stream: ${(Number(s.match[2]) / 1e6).toFixed(0)} MB at ${url}`);
      const res = await alternate('watch', ['ours', 'client-go', 'client-node', 'limit', 'limit-http'] as const, runs(5), (side) =>
        side === 'client-go'
          ? runGo(go(), 'watch', { url, events: sizes.watchEvents })
          : runChild(node, caseScript('watch'), { side, url, events: sizes.watchEvents, ours: oursEntry }));
      // The limit is whichever raw decoder was faster in this run.
      const limitSide = median(pick(res['limit-http'], 'eventsPerCpuSec')) > median(pick(res.limit, 'eventsPerCpuSec')) ? 'limit-http' : 'limit';
      for (const peer of ['client-go', 'client-node'] as const) push('watch-throughput', 'events/CPU-s', 'higher', peer, pick(res.ours, 'eventsPerCpuSec'), pick(res[peer], 'eventsPerCpuSec'));
      push('watch-throughput', 'events/CPU-s', 'higher', 'limit', pick(res.ours, 'eventsPerCpuSec'), pick(res[limitSide], 'eventsPerCpuSec'));
      push('watch-wall-throughput', 'events/s', 'higher', 'client-go', pick(res.ours, 'eventsPerSec'), pick(res['client-go'], 'eventsPerSec'));
      notes.push(`watch-throughput: ${sizes.watchEvents.toLocaleString('en-US')} recorded Pod events (~${Math.round(Number(s.match[2]) / sizes.watchEvents)} bytes each) from a local HTTP server in its own process; each side decodes every event and reads its name; events per CPU-second of the client process (user + system, all threads: process.cpuUsage / getrusage), from the watch request to the end of the stream. client-go: \`CoreV1().Pods("").Watch\` of a typed clientset (JSON), the streaming decoder into *v1.Pod that an informer's reflector uses. limit = the faster in this run of undici \`request\` + TextDecoder and node:http + setEncoding, each splitting on newlines + JSON.parse (this run: ${limitSide === 'limit' ? 'undici' : 'node:http'}; undici ${Math.round(median(pick(res.limit, 'eventsPerCpuSec')))}, node:http ${Math.round(median(pick(res['limit-http'], 'eventsPerCpuSec')))} events/CPU-s). watch-wall-throughput: the same runs per wall second (client-go decodes on one goroutine and collects garbage on the other core).`);
    } finally {
      server?.kill();
    }
  }

  const needCluster = want('list') || want('get') || want('informer') || want('reconcile') || want('streams') || want('shard') || want('fake');
  let cluster: BenchCluster | undefined;
  try {
    if (needCluster) cluster = await benchCluster(sizes.configMaps, log);
    if (cluster && want('list')) {
      const c = cluster;
      const res = await alternate('list', ['ours', 'client-node', 'limit'] as const, runs(5), (side) =>
        runChild(node, caseScript('list'), { side, ours: oursEntry, cluster: c.facts, namespace: c.namespace, limit: sizes.listLimit, expected: c.configMaps }));
      for (const peer of ['client-node', 'limit'] as const) {
        push('list-throughput', 'objects/s', 'higher', peer, pick(res.ours, 'objectsPerSec'), pick(res[peer], 'objectsPerSec'));
        push('list-peak-rss', 'bytes', 'lower', peer, pick(res.ours, 'peakRss'), pick(res[peer], 'peakRss'));
      }
      notes.push(`list-*: ${c.configMaps.toLocaleString('en-US')} ~0.9 KB ConfigMaps in one namespace, pages of ${sizes.listLimit}, each item read; peak RSS = the whole process's maxRSS (runtime and imports included).`);
    }
    if (cluster && want('fake')) {
      const c = cluster;
      const testing = join(ours.dir, 'node_modules', 'kubefluent', 'dist', 'testing.js');
      const res = await alternate('fake', ['fake', 'cluster'] as const, runs(3), (side) =>
        runChild(node, caseScript('fake'), { side, ours: oursEntry, testing, cluster: c.facts, count: sizes.fakeObjects, concurrency: 32 }));
      push('fake-crud-watch-time', 'ms', 'lower', 'local control plane', pick(res.fake, 'ms'), pick(res.cluster, 'ms'));
      notes.push(`fake-crud-watch-time: ${sizes.fakeObjects.toLocaleString('en-US')} ConfigMap creates + ${sizes.fakeObjects.toLocaleString('en-US')} gets at concurrency 32, and one watch that sees every create; the same client on kubefluent/testing's in-memory API server vs on the real local control plane (TLS, etcd, same 2 cores).`);
    }
    if (cluster && want('get')) {
      const c = cluster;
      const env = { ...process.env, KUBECONFIG: c.facts.kubeconfig };
      const getParams = { namespace: c.namespace, objects: c.configMaps, requests: sizes.getRequests, concurrency: sizes.getConcurrency, warmup: sizes.getWarmup };
      const res = await alternate('get', ['ours', 'client-go', 'client-node', 'limit', 'limit-h2', 'kubernetes-fluent-client'] as const, runs(5), (side) =>
        side === 'client-go'
          ? runGo(go(), 'get', { ...getParams, kubeconfig: c.facts.kubeconfig })
          : runChild(node, caseScript('get'), { side, ours: oursEntry, cluster: c.facts, ...getParams }, { env }));
      // The limit is whichever raw Node client was faster in this run.
      const limitSide = median(pick(res['limit-h2'], 'reqPerSec')) > median(pick(res.limit, 'reqPerSec')) ? 'limit-h2' : 'limit';
      for (const peer of ['client-go', 'client-node', 'limit', 'kubernetes-fluent-client'] as const) {
        const theirs = res[peer === 'limit' ? limitSide : peer];
        push('get-throughput', 'req/s', 'higher', peer, pick(res.ours, 'reqPerSec'), pick(theirs, 'reqPerSec'));
        push('get-p99', 'ms', 'lower', peer, pick(res.ours, 'p99Ms'), pick(theirs, 'p99Ms'));
        push('get-client-cpu', 'µs/req', 'lower', peer, pick(res.ours, 'cpuUsPerReq'), pick(theirs, 'cpuUsPerReq'));
      }
      const limitVsGo = median(pick(res[limitSide], 'reqPerSec')) / median(pick(res['client-go'], 'reqPerSec'));
      notes.push(`get limit: the faster in this run of undici (HTTP/1.1) and node:http2, each + JSON.parse (this run: ${limitSide === 'limit' ? 'undici' : 'node:http2'}; undici ${Math.round(median(pick(res.limit, 'reqPerSec')))}, node:http2 ${Math.round(median(pick(res['limit-h2'], 'reqPerSec')))} req/s). The limit itself reached ${limitVsGo.toFixed(2)}× client-go's req/s: the bound a Node client meets on this machine.`);
      notes.push(`get-*: ${sizes.getRequests.toLocaleString('en-US')} GETs of single ConfigMaps at concurrency ${sizes.getConcurrency}, after ${sizes.getWarmup} warm-up GETs; TLS with a client certificate to the real API server on the same 2 cores. get-client-cpu = the client process's CPU time (user + system) per request: the part of the cost that is the client's alone, and the least sensitive to a busy machine. client-go: a typed clientset \`CoreV1().ConfigMaps(ns).Get\`, JSON, its client-side rate limit off (QPS −1; kubefluent has none), HTTP/2 as client-go negotiates it by default (ours: HTTP/1.1 by default; the 2026-11-30 01:15 run had HTTP/2 on, which became opt-in (http2: true) after it).`);
    }
    if (cluster && want('informer')) {
      const c = cluster;
      const runtime = await oursWithRuntime(ours);
      const res = await alternate('informer', ['ours', 'client-go', 'client-node', 'limit'] as const, runs(3), (side, r) => {
        const runId = `${side}-${r}-${Date.now()}`;
        return side === 'client-go'
          ? runGo(go(), 'informer', {
            kubeconfig: c.facts.kubeconfig, namespace: c.namespace, objects: c.configMaps, updates: sizes.informerUpdates,
            node, updaterScript: caseScript('informer-updater'), updaterParams: { cluster: c.facts, namespace: c.namespace, count: sizes.informerUpdates, runId },
          })
          : runChild(node, caseScript('informer'), {
            side, oursRuntime: runtime.path, cluster: c.facts, namespace: c.namespace, objects: c.configMaps,
            updates: sizes.informerUpdates, runId, updaterScript: caseScript('informer-updater'),
          });
      });
      for (const peer of ['client-go', 'client-node'] as const) {
        push('informer-sync', 'ms', 'lower', peer, pick(res.ours, 'syncMs'), pick(res[peer], 'syncMs'));
        push('informer-drain', 'ms', 'lower', peer, pick(res.ours, 'drainMs'), pick(res[peer], 'drainMs'));
        push('informer-heap-per-object', 'bytes', 'lower', peer, pick(res.ours, 'heapPerObject'), pick(res[peer], 'heapPerObject'));
      }
      push('informer-sync', 'ms', 'lower', 'limit', pick(res.ours, 'syncMs'), pick(res.limit, 'syncMs'));
      notes.push(`informer-*: ours \`informer(handleSource(kube.configmaps.namespace(ns)))\` (streaming list) vs client-node \`makeInformer\` over \`listNamespacedConfigMap\`; sync = start until the cache holds all ${c.configMaps.toLocaleString('en-US')} objects; drain = a separate process merge-patches ${sizes.informerUpdates.toLocaleString('en-US')} of them (concurrency 16) until the informer has seen every update (bound by the API server); heap per object = (heapUsed after sync and GC − before start) / objects. client-go: a SharedInformerFactory for the namespace's ConfigMaps (JSON, rate limit off, its default streaming list), sync = until HasSynced, heap = runtime.ReadMemStats HeapAlloc after runtime.GC(), the same update driver. informer-sync vs limit: a bare HTTPS client making the same watch with sendInitialEvents, decoding nothing, stopping at the initial-events-end bookmark — the API server's own time to stream the initial state.${runtime.fromDist ? '' : ' Ours here is an esbuild bundle of src/index.ts + src/runtime/index.ts: the runtime is not in dist/ yet.'}`);
    }
    if (cluster && want('reconcile')) {
      const c = cluster;
      const runtime = await oursWithRuntime(ours);
      const objects = smoke ? 200 : 2_000;
      const res = await alternate('reconcile', ['ours', 'controller-runtime'] as const, runs(3), (side) =>
        side === 'controller-runtime'
          ? runGo(go(), 'reconcile', { kubeconfig: c.facts.kubeconfig, objects, concurrency: 16 })
          : runChild(node, caseScript('reconcile'), { oursRuntime: runtime.path, kubeconfig: c.facts.kubeconfig, objects, concurrency: 16 }));
      push('reconcile-converge', 'ms', 'lower', 'controller-runtime', pick(res.ours, 'convergeMs'), pick(res['controller-runtime'], 'convergeMs'));
      push('reconcile-cpu', 'ms', 'lower', 'controller-runtime', pick(res.ours, 'cpuMs'), pick(res['controller-runtime'], 'cpuMs'));
      push('reconcile-heap-per-object', 'bytes', 'lower', 'controller-runtime', pick(res.ours, 'heapPerObject'), pick(res['controller-runtime'], 'heapPerObject'));
      const r = res.ours[res.ours.length - 1]!;
      notes.push(`reconcile-*: a controller (16 workers) ensuring one owned ConfigMap (<name>-out, controller owner reference) per primary ConfigMap, over ${objects.toLocaleString('en-US')} primaries created before it starts, each side in its own fresh namespace; converge = controller start until its cache has seen every output; cpu = the controller process's CPU time over the same span; heap per object = heap growth over the run after GC / cached objects. Ours: \`Controller\` over two label-selected informers (role=src, role=out). controller-runtime v0.25: a Manager with its cache restricted to the namespace and \`role in (src,out)\`, \`For\` (role=src predicate) + \`Owns\`, MaxConcurrentReconciles 16, JSON, rate limit off. ConfigMaps, not custom objects: the same wire work on both sides without a CRD to install. Ours (last run): caches synced at ${r.syncMs} ms, ${r.reconcilesPerSecond} reconciles/s (${r.reconciles} reconciles, ${r.errors} errors); work queue: ${r.queueNsPerKey} ns per key for add+add (deduplicated)+get+done+forget, ${r.queueBytesPerKey} B per queued key.`);
    }
    if (cluster && want('streams')) {
      const c = cluster;
      const pod = await c.runningPod('bench-streams');
      const kubectlVersion = (JSON.parse(await command('kubectl', ['version', '--client', '-o', 'json'])) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
      const common = { ours: oursEntry, kubeconfig: c.facts.kubeconfig, namespace: c.namespace, pod };
      const ex = await alternate('exec', ['ours', 'kubectl'] as const, runs(5), (side) =>
        runChild(node, caseScript('exec'), { side, ...common, bytes: sizes.execBytes }));
      push('exec-throughput', 'MB/s', 'higher', 'kubectl', pick(ex.ours, 'mbPerSec'), pick(ex.kubectl, 'mbPerSec'));
      push('exec-cpu', 'ms/MB', 'lower', 'kubectl', pick(ex.ours, 'cpuMsPerMb'), pick(ex.kubectl, 'cpuMsPerMb'));
      const connections = 8;
      const pf = await alternate('port-forward', ['ours', 'kubectl'] as const, runs(5), (side) =>
        runChild(node, caseScript('portforward'), { side, ...common, node, server: caseScript('portforward-server'), bytes: sizes.forwardBytes, connections }));
      push('portforward-throughput', 'MB/s', 'higher', 'kubectl', pick(pf.ours, 'mbPerSec'), pick(pf.kubectl, 'mbPerSec'));
      push('portforward-cpu', 'ms/MB', 'lower', 'kubectl', pick(pf.ours, 'cpuMsPerMb'), pick(pf.kubectl, 'cpuMsPerMb'));
      notes.push(`exec-*: \`head -c ${sizes.execBytes} /dev/zero\` in a pod (kwok runs it on this machine), stdout read to the end; ours \`pods.exec()\` in the case's own process, timed from the call to the exit code; kubectl ${kubectlVersion} \`kubectl exec\` as a child process, timed from its spawn to its exit (its start-up included), reading its stdout pipe. Both speak v5.channel.k8s.io WebSockets to the API server, which relays to the node. exec-cpu: CPU per MB of the process doing the exec. portforward-*: ${(sizes.forwardBytes / 2 ** 20).toFixed(0)} MB of random bytes through ${connections} parallel local connections to an echo port of the pod (kwok runs \`cat\` per connection), each connection's echo checked byte by byte; the forwarder in its own process (ours: \`pods.portForward(pod, [':7'])\`; \`kubectl port-forward pod/… :7\`); MB/s = payload per wall second, portforward-cpu = the forwarder's CPU per MB carried (each MB crosses it twice).`);
    }
    if (cluster && want('shard')) {
      const c = cluster;
      const objects = smoke ? 96 : 960;
      const shards = 48;
      const controller = join(ours.dir, 'node_modules', 'kubefluent', 'dist', 'controller.js');
      const res = await alternate('shard', ['3 replicas', '1 replica'] as const, runs(3), (side, r) => {
        const replicas = side === '3 replicas' ? 3 : 1;
        return runChild(node, caseScript('shard-scaling'), {
          node, replicaScript: caseScript('shard-replica'), ours: oursEntry, controller, kubeconfig: c.facts.kubeconfig, namespace: c.namespace,
          objects, replicas, shards, workers: 2, workMs: 50, journal: join(WORK, `shard-${replicas}.jsonl`), set: `bench-shard-${r}-${replicas}`,
        });
      });
      push('shard-scaling', 'keys/s', 'higher', '1 replica', pick(res['3 replicas'], 'keysPerSec'), pick(res['1 replica'], 'keysPerSec'));
      const last = res['3 replicas'][res['3 replicas'].length - 1]!;
      notes.push(`shard-scaling: ${objects} ConfigMaps reconciled by a 50 ms I/O-bound reconciler (a timer; it writes nothing, so the shared API server is not what is measured), 2 workers per replica; 3 replicas (separate processes: Manager + ShardCoordinator over ${shards} shard Leases, lease 3 s / renew 2 s / retry 0.5 s) vs 1 replica with the same setup. Each run's replicas start fresh; reconciles are held until every shard is held by its fair-share owner (${shards / 3} each), then keys per second from that moment to the last reconcile's end. ${shards} shards, a multiple of 3, so each replica's share is equal: with the default-like 16 shards the shares are 6/5/5 and the ceiling is 16/6 = 2.67. Last 3-replica run: largest replica share ${(last.largestShare! * 100).toFixed(1)}% of the keys.`);
    }
  } finally {
    await cluster?.close();
  }

  const durationS = (Date.now() - started) / 1000;
  const info = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    node: nodeVersion,
    machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB, load average ${loadAtStart.toFixed(1)} at start and ${loadavg()[0]!.toFixed(1)} at the end`,
    durationS,
    smoke,
    sizes,
    notes,
    samples,
    pending: pendingRows(rows),
  };
  writeResults(outDir, 'latest', rows, info);
  log(`wrote ${join(outDir, 'latest.json')}, latest.md and latest.svg in ${durationS.toFixed(0)} s`);
  const bad = problems(rows);
  if (bad.length > 0) throw new Error(`rows without finite results:\n${bad.join('\n')}`);
  if (rows.length === 0) throw new Error('no rows');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
