/**
 * Figures for the runtime note (not a test): watch events decoded per second on one core
 * for ~5 KB Pod events, and heap per cached Pod.
 *
 *   node --expose-gc --import tsx test/support/runtime-figures.ts
 *
 * Decoding runs the real low-level watch (src/client/watch.ts) over an in-memory body, so
 * only parsing and the runtime are measured, then again over loopback HTTP from a server
 * in a worker thread (so the consumer keeps its core).
 */
import { Worker } from 'node:worker_threads';
import type { Pod } from '../../generated/models.js';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { NoCredentials } from '../../src/config/credentials.js';
import { watchStream } from '../../src/client/watch.js';
import { Informer } from '../../src/runtime/informer.js';
import type { ListerWatcher } from '../../src/runtime/lister-watcher.js';
import { Store } from '../../src/runtime/store.js';
import { stripManagedFields } from '../../src/runtime/watcher.js';
import { Transport, type RequestOptions, type StreamResponse } from '../../src/transport/transport.js';

/** A Pod shaped like one from a real cluster (kwok node, managedFields, status), ~5 KB as JSON. */
function pod(i: number, rv: number): Pod {
  const name = `web-7d4b9c8f6d-${i.toString(36).padStart(5, '0')}`;
  const ts = '2026-11-26T20:00:00Z';
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'shop', uid: `0d9f3a52-1c2b-4e5f-8a9b-${String(i).padStart(12, '0')}`, resourceVersion: String(rv), generateName: 'web-7d4b9c8f6d-',
      creationTimestamp: ts,
      labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d', tier: 'frontend', 'app.kubernetes.io/version': '1.4.2' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': ts, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f6d', uid: '5e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7', controller: true, blockOwnerDeletion: true }],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: ts, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {}, 'f:tier': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"5e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7"}': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:env': { '.': {}, 'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } }, 'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } } } }, 'f:dnsPolicy': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:terminationGracePeriodSeconds': {} } } },
        { manager: 'kwok', operation: 'Update', apiVersion: 'v1', time: ts, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"ContainersReady"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} }, 'k:{"type":"Initialized"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} }, 'k:{"type":"Ready"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': { '.': {}, 'k:{"ip":"10.0.0.12"}': { '.': {}, 'f:ip': {} } }, 'f:startTime': {} } } },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web', image: 'registry.example.com/shop/web:1.4.2', imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'production' }, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
          resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          volumeMounts: [{ name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
          terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
          readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        },
      ],
      volumes: [{ name: 'kube-api-access-x7k2p', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }] } }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', serviceAccount: 'default',
      nodeName: 'kwok-node-0', securityContext: {}, schedulerName: 'default-scheduler', priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: {
      phase: 'Running', hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }], podIP: '10.0.0.12', podIPs: [{ ip: '10.0.0.12' }], startTime: ts, qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null as unknown as undefined, lastTransitionTime: ts })),
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, started: true, image: 'registry.example.com/shop/web:1.4.2', imageID: 'registry.example.com/shop/web@sha256:4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c', containerID: 'containerd://9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0', state: { running: { startedAt: ts } }, lastState: {} }],
    },
  } as Pod;
}

function ndjson(n: number, modifiedEvery = 0): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const type = modifiedEvery && i % modifiedEvery !== 0 ? 'MODIFIED' : 'ADDED';
    const id = modifiedEvery ? Math.floor(i / modifiedEvery) : i;
    lines.push(JSON.stringify({ type, object: pod(id, 1000 + i) }));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** A transport whose watch body is `payload`, delivered in 64 KB chunks (like a socket). */
function memoryTransport(payload: Buffer): Transport {
  const t = new Transport(new ClusterConfig({ server: 'http://127.0.0.1:1', credentials: new NoCredentials() }));
  const view = Object.create(t) as Transport;
  Object.defineProperty(view, 'stream', {
    value: async (_o: RequestOptions): Promise<StreamResponse> => {
      let off = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (off >= payload.length) return c.close();
          c.enqueue(payload.subarray(off, off + 65536));
          off += 65536;
        },
      });
      return { status: 200, headers: new Headers(), body, cancel: () => void body.cancel().catch(() => undefined) };
    },
  });
  return view;
}

async function decodeRaw(payload: Buffer, transport: Transport): Promise<number> {
  let n = 0;
  for await (const _ of watchStream<Pod>(transport, '/api/v1/pods', { inactivityTimeoutMs: false })) n++;
  return n;
}

/** The whole runtime path: low-level watch → watcher → informer store → one handler. */
async function decodeInformer(payload: Buffer, transport: Transport, eventCount: number): Promise<number> {
  let handled = 0;
  const lw: ListerWatcher<Pod> = {
    list: async () => ({ metadata: { resourceVersion: '1' }, items: [] }),
    watch: (req, signal) => watchStream<Pod>(transport, '/api/v1/pods', { ...req, signal, inactivityTimeoutMs: false }),
  };
  const stop = new AbortController();
  const inf = new Informer(lw, { initialList: 'list' });
  await new Promise<void>((resolve) => {
    inf.addEventHandler({
      add: () => {
        if (++handled === eventCount) resolve();
      },
      update: () => {
        if (++handled === eventCount) resolve();
      },
    });
    inf.start(stop.signal);
  });
  stop.abort();
  return handled;
}

/**
 * Events per second of CPU time (user + system, all threads of this process, GC included):
 * what one core sustains, and far less disturbed than wall time on a shared machine.
 */
async function time(label: string, bytes: number, n: number, fn: () => Promise<number>): Promise<void> {
  await fn(); // warm up
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const got = await fn();
    const c = process.cpuUsage(c0);
    if (got !== n) throw new Error(`${label}: got ${got} events, expected ${n}`);
    runs.push(n / ((c.user + c.system) / 1e6));
  }
  runs.sort((a, b) => a - b);
  const median = runs[2]!;
  console.log(`${label}: ${Math.round(median).toLocaleString('en')} events per CPU-second (${((median * bytes) / n / 1e6).toFixed(0)} MB/s; median of 5, range ${Math.round(runs[0]!)}–${Math.round(runs[4]!)})`);
}

function serverWorker(payload: Buffer): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads');
    const http = require('node:http');
    const payload = Buffer.from(workerData);
    const s = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let off = 0;
      const pump = () => { while (off < payload.length) { const ok = res.write(payload.subarray(off, off + 65536)); off += 65536; if (!ok) return res.once('drain', pump); } res.end(); };
      pump();
    });
    s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
  `, { eval: true, workerData: payload });
  return new Promise((resolve) => worker.once('message', (port: number) => resolve({ worker, port })));
}

function heapPerObject(make: (i: number) => Pod, n: number, transform?: (p: Pod) => Pod): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  // Parse from JSON, as a watch does, so objects have the shapes V8 gives parsed data. The
  // JSON waits off-heap (a Buffer) so only the cached objects count.
  const json = Buffer.from(Array.from({ length: n }, (_, i) => JSON.stringify(make(i))).join('\n'));
  const ends: number[] = [];
  for (let i = json.indexOf(10); i >= 0; i = json.indexOf(10, i + 1)) ends.push(i);
  ends.push(json.length);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new Store<Pod>({ namespace: (p) => [p.metadata?.namespace ?? ''] });
  let start = 0;
  for (const end of ends) {
    const p = JSON.parse(json.toString('utf8', start, end)) as Pod;
    start = end + 1;
    const o = transform ? transform(p) : p;
    store.set(`${o.metadata?.namespace}/${o.metadata?.name}`, o);
  }
  gc();
  gc();
  const per = (process.memoryUsage().heapUsed - before) / n;
  if (store.size !== n) throw new Error('store size');
  return per;
}

const N = 20_000;
const adds = ndjson(N);
const mods = ndjson(N, 10); // 2,000 pods, each added then modified 9 times: the update path with old objects
const one = ndjson(N, N); // one pod modified over and over: little retained, so the runtime's own cost shows
const avg = Math.round(adds.length / N);
console.log(`node ${process.version}; ${N.toLocaleString('en')} Pod events of ${avg} bytes each (${(adds.length / 1e6).toFixed(0)} MB)`);
await time('low-level watch, in-memory body (JSON parse + NDJSON split)', adds.length, N, () => decodeRaw(adds, memoryTransport(adds)));
await time('informer (watch → watcher → store → handler), ADDED', adds.length, N, () => decodeInformer(adds, memoryTransport(adds), N));
await time('informer, 1 ADDED + 9 MODIFIED per pod', mods.length, N, () => decodeInformer(mods, memoryTransport(mods), N));
await time('informer, one pod modified 20,000 times (runtime overhead without cache growth)', one.length, N, () => decodeInformer(one, memoryTransport(one), N));
const { worker, port } = await serverWorker(adds);
const http = new Transport(new ClusterConfig({ server: `http://127.0.0.1:${port}`, credentials: new NoCredentials() }));
await time('informer over loopback HTTP (server in a worker thread; its CPU counted too)', adds.length, N, () => decodeInformer(adds, http, N));
await http.close();
await worker.terminate();

const M = 10_000;
const full = heapPerObject((i) => pod(i, 1), M);
const stripped = heapPerObject((i) => pod(i, 1), M, stripManagedFields);
const meta = heapPerObject((i) => ({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: pod(i, 1).metadata }) as Pod, M);
const metaStripped = heapPerObject((i) => ({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: pod(i, 1).metadata }) as Pod, M, stripManagedFields);
console.log(`heap per cached Pod (${M.toLocaleString('en')} in an informer store with a namespace index; ${avg} bytes of JSON each):`);
console.log(`  full object            ${(full / 1024).toFixed(1)} KB`);
console.log(`  full, managedFields cut ${(stripped / 1024).toFixed(1)} KB`);
console.log(`  metadata-only          ${(meta / 1024).toFixed(1)} KB`);
console.log(`  metadata-only, cut     ${(metaStripped / 1024).toFixed(1)} KB`);
