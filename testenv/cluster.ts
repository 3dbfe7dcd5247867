import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, VERSIONS, type BinaryPaths, type EnsureBinariesOptions } from './binaries.js';
import { TestEnvError } from './errors.js';
import { AdminHttp } from './http.js';
import { installCRDs, readCRDs, type CRDManifest } from './crds.js';
import { certUser, kubeconfigYaml } from './kubeconfig.js';
import { kwokConfig, nodeObject, POD_LOG, PORT_FORWARD_BODY, startForwardTarget } from './kwok.js';
import { startReporter } from './progress.js';
import { createCA, createServiceAccountKey, issue, type CertPair } from './pki.js';
import { assertPortFree, Component, freePort, onProcessExit, pidAlive, sleep, startJanitor } from './process.js';

/** Options of {@link startTestEnv}. */
export interface TestEnvOptions {
  /** Number of kwok (simulated) nodes. Default 2. */
  readonly nodes?: number;
  /** Where built binaries are cached (see ensureBinaries). */
  readonly cacheDir?: string;
  /**
   * Progress lines for humans: building, starting, waiting. Without it, a build of missing
   * binaries (the first run) is reported on stderr and the rest is quiet; pass `() => {}` for
   * silence.
   */
  readonly onProgress?: (message: string) => void;
  /** Binaries you already have; see {@link EnsureBinariesOptions.binariesDir} ($KUBEFLUENT_BINARIES_DIR, $KUBEBUILDER_ASSETS). */
  readonly binariesDir?: string;
  /**
   * Directories (or files) of CustomResourceDefinition manifests (.yaml, .yml, .json; several
   * documents per file) to install before startTestEnv returns; it waits until each is
   * Established and served. Like envtest's CRDDirectoryPaths.
   */
  readonly crdDirs?: readonly string[];
  /** Fixed API server port (default: a free port). A busy port is a clear error. */
  readonly apiServerPort?: number;
  /** Extra kube-apiserver flags, e.g. ['--etcd-compaction-interval=10s']. */
  readonly apiServerArgs?: readonly string[];
  /** Start-up deadline for the whole cluster after the binaries exist. Default 120 s. */
  readonly startTimeoutMs?: number;
  /** Keep the data dir (logs, certs) after stop, for debugging. */
  readonly keepDataDir?: boolean;
  readonly signal?: AbortSignal;
}

/** A user made by {@link TestEnv.addUser}. */
export interface TestUser {
  readonly name: string;
  readonly groups: readonly string[];
  /** A kubeconfig for this user alone (client certificate embedded). */
  readonly kubeconfigPath: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A running local control plane. */
export interface TestEnv {
  /** Admin kubeconfig (user `admin`, group system:masters, client certificate). */
  readonly kubeconfigPath: string;
  /** Kubeconfig of user `restricted`: bearer token, admin of namespace `restricted` only. */
  readonly restrictedKubeconfigPath: string;
  readonly restrictedNamespace: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly caFile: string;
  readonly dataDir: string;
  /** gitVersion reported by the API server's /version. */
  readonly version: string;
  readonly nodeNames: readonly string[];
  /** etcd client URL (plain HTTP on 127.0.0.1). */
  readonly etcdUrl: string;
  /** The local HTTP server that ClusterPortForward points every pod port at. */
  readonly portForwardTarget: { readonly port: number; readonly body: string };
  /** Process ids of the running components, by name. */
  pids(): Record<string, number | undefined>;
  /** A new user with a client certificate (CN=name, O=groups) and its own kubeconfig. */
  addUser(name: string, groups?: readonly string[]): Promise<TestUser>;
  /** Installs the CRDs in these directories or files and waits until they are Established and served; returns their names. */
  installCRDs(paths: readonly string[], options?: { readonly timeoutMs?: number }): Promise<string[]>;
  /** Stops and starts kube-apiserver (same port, same data), for resilience tests. */
  restartApiServer(): Promise<void>;
  /** Compacts etcd up to its current revision; returns that revision. Older resourceVersions then answer 410 Gone. */
  compactEtcd(): Promise<number>;
  /** Stops every component and removes the data dir. Idempotent. */
  stop(): Promise<void>;
}

const DIR_PREFIX = 'kubefluent-testenv-';

/** Removes data dirs of launchers that died without cleaning up. */
function sweepStaleDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(tmpdir(), name);
    try {
      const pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (pid && pidAlive(pid)) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // no owner file yet: a launcher that is just starting; leave it
    }
  }
}

/**
 * Starts a real local control plane: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok (simulated nodes and containers), on free ports of 127.0.0.1,
 * with a throwaway CA and a fresh data dir. Resolves when /readyz is ok, the `default`
 * ServiceAccount exists and every node is Ready.
 */
export async function startTestEnv(options: TestEnvOptions = {}): Promise<TestEnv> {
  // Read first: a bad manifest fails before anything is built or started.
  const crds = options.crdDirs ? readCRDs(options.crdDirs) : [];
  const reporter = startReporter(options.onProgress);
  const progress = reporter.step;
  const binaries = await ensureBinaries({
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.binariesDir ? { binariesDir: options.binariesDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: reporter.build,
  });
  sweepStaleDirs();
  const dataDir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dataDir, 'owner.pid'), String(process.pid));
  const cluster = new Cluster(binaries, dataDir, options);
  const dismissJanitor = options.keepDataDir ? () => {} : startJanitor(dataDir);
  const removeHook = onProcessExit(() => {
    dismissJanitor();
    if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  cluster.onStopped = () => {
    dismissJanitor();
    removeHook();
  };
  try {
    await cluster.start(progress);
    if (crds.length > 0) {
      progress(`crds: installing ${crds.length} and waiting until they are Established`);
      await cluster.installCRDObjects(crds);
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

class Cluster implements TestEnv {
  kubeconfigPath = '';
  restrictedKubeconfigPath = '';
  readonly restrictedNamespace = 'restricted';
  server = '';
  caFile = '';
  version = '';
  nodeNames: string[] = [];
  etcdUrl = '';
  portForwardTarget = { port: 0, body: PORT_FORWARD_BODY };
  onStopped: (() => void) | undefined;

  private components: Component[] = [];
  private apiServer: Component | undefined;
  private http: AdminHttp | undefined;
  private forwardServer: Server | undefined;
  private ca: CertPair | undefined;
  private stopped = false;

  constructor(
    private readonly bin: BinaryPaths,
    readonly dataDir: string,
    private readonly options: TestEnvOptions,
  ) {}

  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.components.map((c) => [c.name, c.pid]));
  }

  async start(progress: (m: string) => void): Promise<void> {
    const t0 = Date.now();
    const deadline = t0 + (this.options.startTimeoutMs ?? 120_000);
    const dir = this.dataDir;
    const pki = join(dir, 'pki');
    const logs = join(dir, 'logs');
    mkdirSync(pki, { recursive: true });
    mkdirSync(logs, { recursive: true });
    mkdirSync(join(dir, 'exec'), { recursive: true });
    // kwok runs exec'd commands as nobody: it must reach its scratch dir (keys stay 0600).
    chmodSync(dir, 0o711);
    chmodSync(join(dir, 'exec'), 0o777);
    writeFileSync(join(dir, 'pod.log'), POD_LOG, { mode: 0o644 });

    progress('pki: creating a throwaway CA, serving certificate and users');
    const ca = await createCA(pki);
    this.ca = ca;
    this.caFile = ca.certFile;
    const [serving, admin, kubeletClient, kwokServing, sa] = await Promise.all([
      issue(pki, 'apiserver', ca, {
        commonName: 'kube-apiserver',
        altNames: ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'IP:10.0.0.1'],
        usage: 'server',
      }),
      issue(pki, 'admin', ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' }),
      issue(pki, 'apiserver-kubelet-client', ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client' }),
      issue(pki, 'kwok', ca, { commonName: 'kwok', altNames: ['IP:127.0.0.1', 'DNS:localhost'], usage: 'server' }),
      createServiceAccountKey(pki),
    ]);
    const restrictedToken = randomBytes(24).toString('hex');
    writeFileSync(join(pki, 'tokens.csv'), `${restrictedToken},restricted,restricted-uid,"restricted-users"\n`, { mode: 0o600 });

    const apiPort = this.options.apiServerPort ?? (await freePort());
    if (this.options.apiServerPort) await assertPortFree(apiPort, 'kube-apiserver');
    const [etcdPort, etcdPeerPort, kcmPort, schedPort, kwokPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    this.server = `https://127.0.0.1:${apiPort}`;
    this.etcdUrl = `http://127.0.0.1:${etcdPort}`;

    this.kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(this.kubeconfigPath, kubeconfigYaml(this.server, ca.certFile, certUser(admin), 'admin'), { mode: 0o600 });
    this.restrictedKubeconfigPath = join(dir, 'restricted.kubeconfig');
    writeFileSync(
      this.restrictedKubeconfigPath,
      kubeconfigYaml(this.server, ca.certFile, { token: restrictedToken }, 'restricted', this.restrictedNamespace),
      { mode: 0o600 },
    );

    this.forwardServer = await startForwardTarget();
    const addr = this.forwardServer.address();
    this.portForwardTarget = { port: typeof addr === 'object' && addr ? addr.port : 0, body: PORT_FORWARD_BODY };

    // etcd
    progress('etcd: starting');
    const etcd = this.add(
      new Component(
        'etcd',
        this.bin.etcd,
        [
          '--name=testenv',
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=${this.etcdUrl}`,
          `--advertise-client-urls=${this.etcdUrl}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
          `--initial-cluster=testenv=http://127.0.0.1:${etcdPeerPort}`,
          '--unsafe-no-fsync',
          '--quota-backend-bytes=8589934592',
          '--log-level=warn',
        ],
        join(logs, 'etcd.log'),
      ),
    );
    etcd.start();
    await this.waitFor('etcd', deadline, async () => {
      const res = await fetch(`${this.etcdUrl}/health`).catch(() => undefined);
      return res?.ok === true && ((await res.json()) as { health?: string }).health === 'true';
    });

    // kube-apiserver
    progress('kube-apiserver: starting');
    const apiArgs = [
      `--etcd-servers=${this.etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The endpoint reconciler refuses loopback addresses; nothing in-cluster dials the API server here.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver')}`,
      `--tls-cert-file=${serving.certFile}`,
      `--tls-private-key-file=${serving.keyFile}`,
      `--client-ca-file=${ca.certFile}`,
      `--token-auth-file=${join(pki, 'tokens.csv')}`,
      `--service-account-key-file=${sa.pubFile}`,
      `--service-account-signing-key-file=${sa.keyFile}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.0.0.0/16',
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      `--kubelet-client-certificate=${kubeletClient.certFile}`,
      `--kubelet-client-key=${kubeletClient.keyFile}`,
      '--profiling=false',
      ...(this.options.apiServerArgs ?? []),
    ];
    this.apiServer = this.add(new Component('kube-apiserver', this.bin.kubeApiserver, apiArgs, join(logs, 'kube-apiserver.log')));
    this.apiServer.start();
    this.http = new AdminHttp(this.server, ca.certFile, admin.certFile, admin.keyFile);
    await this.waitApiReady(deadline);
    const version = await this.http.json<{ gitVersion: string }>('GET', '/version');
    this.version = version.gitVersion;
    progress(`kube-apiserver: ready (${this.version}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Objects the tests rely on: the restricted user's namespace and RBAC, and the nodes.
    await this.http.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.restrictedNamespace } });
    await this.http.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${this.restrictedNamespace}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'restricted-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'restricted' }],
    });
    const nodeCount = this.options.nodes ?? 2;
    this.nodeNames = Array.from({ length: nodeCount }, (_, i) => `kwok-node-${i}`);
    for (const name of this.nodeNames) await this.http.ensure('/api/v1/nodes', nodeObject(name));

    // controllers, scheduler, kwok
    const adminKubeconfig = join(dir, 'admin-files.kubeconfig');
    writeFileSync(
      adminKubeconfig,
      kubeconfigYaml(this.server, ca.certFile, { 'client-certificate': admin.certFile, 'client-key': admin.keyFile }, 'admin'),
      { mode: 0o600 },
    );
    const kwokConfigFile = join(dir, 'kwok.yaml');
    writeFileSync(kwokConfigFile, kwokConfig(this.bin.kwokStages, dir, this.portForwardTarget.port));
    const delegated = [
      `--authentication-kubeconfig=${adminKubeconfig}`,
      `--authorization-kubeconfig=${adminKubeconfig}`,
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    ];
    progress('kube-controller-manager, kube-scheduler, kwok: starting');
    this.add(
      new Component(
        'kube-controller-manager',
        this.bin.kubeControllerManager,
        [
          `--kubeconfig=${adminKubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${kcmPort}`,
          '--leader-elect=false',
          `--service-account-private-key-file=${sa.keyFile}`,
          `--root-ca-file=${ca.certFile}`,
          `--cluster-signing-cert-file=${ca.certFile}`,
          `--cluster-signing-key-file=${ca.keyFile}`,
          '--use-service-account-credentials=false',
          '--kube-api-qps=200',
          '--kube-api-burst=400',
          ...delegated,
        ],
        join(logs, 'kube-controller-manager.log'),
      ),
    ).start();
    this.add(
      new Component(
        'kube-scheduler',
        this.bin.kubeScheduler,
        [`--kubeconfig=${adminKubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--leader-elect=false', ...delegated],
        join(logs, 'kube-scheduler.log'),
      ),
    ).start();
    this.add(
      new Component(
        'kwok',
        this.bin.kwok,
        [
          `--kubeconfig=${adminKubeconfig}`,
          `--config=${kwokConfigFile}`,
          '--manage-all-nodes=false',
          '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
          '--node-ip=127.0.0.1',
          `--node-port=${kwokPort}`,
          `--server-address=127.0.0.1:${kwokPort}`,
          `--tls-cert-file=${kwokServing.certFile}`,
          `--tls-private-key-file=${kwokServing.keyFile}`,
          '--cidr=10.244.0.0/16',
          '--node-lease-duration-seconds=40',
        ],
        join(logs, 'kwok.log'),
      ),
    ).start();

    progress(`waiting for the default ServiceAccount and ${nodeCount} Ready nodes`);
    await this.waitFor('kube-controller-manager', deadline, async () => {
      const res = await this.http!.call('GET', '/api/v1/namespaces/default/serviceaccounts/default');
      return res.status === 200;
    });
    await this.waitFor('kwok', deadline, async () => {
      const res = await this.http!.call('GET', '/api/v1/nodes');
      if (res.status !== 200) return false;
      const nodes = JSON.parse(res.body) as { items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
      const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return this.nodeNames.every((name) => ready.some((n) => n.metadata.name === name));
    });
    progress(`cluster ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${this.server}`);
  }

  private add(c: Component): Component {
    this.components.push(c);
    return c;
  }

  private async waitApiReady(deadline: number): Promise<void> {
    await this.waitFor('kube-apiserver', deadline, async () => {
      const res = await this.http!.call('GET', '/readyz', undefined, 3000).catch(() => undefined);
      return res?.status === 200;
    });
  }

  /** Polls `check` until true; fails naming `component` (or whichever component died) with its log. */
  private async waitFor(component: string, deadline: number, check: () => Promise<boolean>): Promise<void> {
    for (;;) {
      this.options.signal?.throwIfAborted();
      for (const c of this.components) c.assertAlive();
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) {
        const c = this.components.find((x) => x.name === component);
        throw new TestEnvError('timeout', component, 'did not become ready in time', {
          ...(c ? { logFile: c.logFile, logTail: c.logTail() } : {}),
        });
      }
      await sleep(100, this.options.signal);
    }
  }

  async installCRDs(paths: readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<string[]> {
    return await this.installCRDObjects(readCRDs(paths), options.timeoutMs);
  }

  async installCRDObjects(crds: readonly CRDManifest[], timeoutMs?: number): Promise<string[]> {
    if (!this.http) throw new TestEnvError('config', 'testenv', 'installCRDs called before the cluster started');
    return await installCRDs(this.http, crds, { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(this.options.signal ? { signal: this.options.signal } : {}) });
  }

  async addUser(name: string, groups: readonly string[] = []): Promise<TestUser> {
    if (!this.ca) throw new TestEnvError('config', 'testenv', 'addUser called before the cluster started');
    if (!/^[a-zA-Z0-9:._@-]+$/.test(name)) {
      throw new TestEnvError('config', 'testenv', `user name ${JSON.stringify(name)} may contain only letters, digits and :._@-`);
    }
    const usersDir = join(this.dataDir, 'users');
    mkdirSync(usersDir, { recursive: true });
    const pair = await issue(usersDir, name, this.ca, { commonName: name, organizations: groups, usage: 'client' });
    const kubeconfigPath = join(usersDir, `${name}.kubeconfig`);
    writeFileSync(kubeconfigPath, kubeconfigYaml(this.server, this.ca.certFile, certUser(pair), name), { mode: 0o600 });
    return { name, groups: [...groups], kubeconfigPath, certFile: pair.certFile, keyFile: pair.keyFile };
  }

  async restartApiServer(): Promise<void> {
    const api = this.apiServer;
    if (!api) throw new TestEnvError('config', 'kube-apiserver', 'not started');
    await api.stop();
    api.start();
    await this.waitApiReady(Date.now() + 60_000);
  }

  async compactEtcd(): Promise<number> {
    const range = await fetch(`${this.etcdUrl}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from('/').toString('base64'), limit: 1 }),
    });
    const body = (await range.json()) as { header?: { revision?: string } };
    const revision = Number(body.header?.revision ?? 0);
    const res = await fetch(`${this.etcdUrl}/v3/kv/compaction`, {
      method: 'POST',
      body: JSON.stringify({ revision: String(revision), physical: true }),
    });
    if (!res.ok) throw new TestEnvError('config', 'etcd', `compaction failed: HTTP ${res.status} ${await res.text()}`);
    return revision;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of [...this.components].reverse()) await c.stop();
    this.http?.close();
    await new Promise<void>((resolve) => (this.forwardServer ? this.forwardServer.close(() => resolve()) : resolve()));
    if (!this.options.keepDataDir && existsSync(this.dataDir)) rmSync(this.dataDir, { recursive: true, force: true });
    this.onStopped?.();
  }
}

export { PORT_FORWARD_BODY, VERSIONS };
