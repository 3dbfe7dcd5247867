/**
 * Deterministic test objects: realistic Pods of about 5 KB (what a Deployment's pod looks
 * like after the scheduler, kubelet and three field managers touched it) and ConfigMaps of
 * about 1 KB. Same input, same bytes: every run and every side sees identical data.
 */

/** A small, fast, seeded PRNG (mulberry32): fixtures must not depend on Math.random. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
}

function uid(r: () => number): string {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
}

const APPS = ['checkout', 'catalog', 'payments', 'search', 'frontend', 'inventory', 'shipping', 'auth'];

function time(i: number): string {
  return new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + i * 1000).toISOString().replace('.000Z', 'Z');
}

/** Pod number `i` in namespace `namespace`: about 5 KB of JSON, valid under strict schemas. */
export function makePod(i: number, namespace = 'bench'): Record<string, unknown> {
  const r = rng(i + 1);
  const app = APPS[i % APPS.length]!;
  const hash = hex(r, 10);
  const name = `${app}-${hash}-${hex(r, 5)}`;
  const image = `registry.example.com/shop/${app}:1.${i % 17}.${i % 5}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const container = (cname: string, port: number) => ({
    name: cname,
    image,
    imagePullPolicy: 'IfNotPresent',
    args: ['--port', String(port), '--log-level=info', `--service=${app}`],
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
    env: [
      { name: 'APP_NAME', value: app },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } },
    ],
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    livenessProbe: { httpGet: { path: '/healthz', port, scheme: 'HTTP' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/ready', port, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  const status = (cname: string) => ({
    name: cname,
    image,
    imageID: `${image.split(':')[0]}@sha256:${hex(r, 64)}`,
    containerID: `containerd://${hex(r, 64)}`,
    ready: true,
    started: true,
    restartCount: i % 3,
    state: { running: { startedAt: time(i + 20) } },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${app}-${hash}-`,
      namespace,
      uid: uid(r),
      resourceVersion: String(100_000 + i),
      creationTimestamp: time(i),
      labels: { app, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'shop', 'pod-template-hash': hash, tier: i % 2 ? 'backend' : 'web' },
      annotations: {
        'kubectl.kubernetes.io/restartedAt': time(i - 3600),
        'prometheus.io/scrape': 'true',
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: uid(r), controller: true, blockOwnerDeletion: true }],
      managedFields: [
        {
          manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: time(i), fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': { '.': {}, [`k:{"uid":"${uid(r)}"}`]: {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {} } }, 'f:dnsPolicy': {}, 'f:restartPolicy': {} } },
        },
        {
          manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: time(i + 30), fieldsType: 'FieldsV1', subresource: 'status',
          fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': { '.': {}, [`k:{"ip":"${ip}"}`]: { '.': {}, 'f:ip': {} } }, 'f:startTime': {} } },
        },
      ],
    },
    spec: {
      containers: [container('app', 8080), { name: 'proxy', image: 'registry.example.com/mesh/proxy:1.24.1', args: ['--upstream=127.0.0.1:8080'], ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }], resources: { requests: { cpu: '50m', memory: '64Mi' } }, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      volumes: [
        { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: app,
      serviceAccount: app,
      nodeName: `node-${i % 50}`,
      securityContext: { fsGroup: 2000, runAsUser: 1000 },
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type, k) => ({
        type, status: 'True', lastProbeTime: null, lastTransitionTime: time(i + k),
      })),
      hostIP: `192.168.${i % 50}.10`,
      hostIPs: [{ ip: `192.168.${i % 50}.10` }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: time(i + 1),
      containerStatuses: [status('app'), status('proxy')],
      qosClass: 'Burstable',
    },
  };
}

/** ConfigMap number `i`: about 1 KB of JSON (a few config keys), as a create body. */
export function makeConfigMap(i: number, namespace: string): Record<string, unknown> {
  const r = rng(1_000_000 + i);
  const app = APPS[i % APPS.length]!;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapName(i), namespace, labels: { app, 'app.kubernetes.io/part-of': 'shop', shard: String(i % 16) } },
    data: {
      'app.properties': `service.name=${app}\nservice.port=8080\nlog.level=info\ncache.ttl=${60 + (i % 300)}\nfeature.token=${hex(r, 32)}\n`,
      'upstreams.yaml': `upstreams:\n- name: ${APPS[(i + 1) % APPS.length]}\n  url: http://${APPS[(i + 1) % APPS.length]}.shop.svc:8080\n- name: ${APPS[(i + 2) % APPS.length]}\n  url: http://${APPS[(i + 2) % APPS.length]}.shop.svc:8080\n`,
      checksum: hex(r, 64),
      notes: `generated for the kubefluent benchmark, object ${i}; ${hex(r, 300)}`,
    },
  };
}

export function configMapName(i: number): string {
  return `bench-cm-${String(i).padStart(5, '0')}`;
}
