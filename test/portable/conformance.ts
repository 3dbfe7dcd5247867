/**
 * The portable conformance script: one run of the portable build (dist/portable, the fetch
 * transport) against the real local control plane, the same script on Deno, Bun and Node.
 *
 *   deno run -A test/portable/conformance.ts   |   bun test/portable/conformance.ts   |   tsx test/portable/conformance.ts
 *
 * env: KUBEFLUENT_TEST_KUBECONFIG (admin, client certificate), KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG
 * (a token user limited to namespace "restricted"). Prints one line per check and a last JSON
 * line `{"runtime":…,"passed":n,"failed":[…]}`; exits 1 when a check fails.
 * On Node (no per-runtime TLS knob in fetch) it hands an undici dispatcher to the transport, and
 * (Node 20 has no global WebSocket) undici's WebSocket for exec and openPort.
 */
import type * as Portable from '../../src/portable.js';

type Env = (name: string) => string | undefined;
interface Globals {
  Deno?: { env: { get: Env }; readTextFile(p: string): Promise<string>; exit(code: number): never };
  Bun?: { file(p: string): { text(): Promise<string> } };
  process?: { env: Record<string, string | undefined>; exit(code: number): never; versions: Record<string, string> };
}
const g = globalThis as unknown as Globals;
const env: Env = (n) => g.Deno ? g.Deno.env.get(n) : g.process?.env[n];
const runtime = g.Deno ? 'deno' : g.Bun ? 'bun' : 'node';
const read = async (p: string): Promise<string> => g.Deno ? g.Deno.readTextFile(p) : g.Bun ? g.Bun.file(p).text() : (await import('node:fs/promises')).readFile(p, 'utf8');
const exit = (code: number): never => (g.Deno ? g.Deno.exit(code) : (g.process as NonNullable<Globals['process']>).exit(code));

const modulePath = env('KUBEFLUENT_PORTABLE_MODULE') ?? new URL('../../dist/portable/index.js', import.meta.url).href;
const k = (await import(modulePath)) as typeof Portable;
const { Kube, FetchTransport, kubeconfigConfig, Informer, handleSource, deployment, pod, container } = k;

const adminPath = env('KUBEFLUENT_TEST_KUBECONFIG');
const restrictedPath = env('KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG');
if (!adminPath || !restrictedPath) {
  console.error('set KUBEFLUENT_TEST_KUBECONFIG and KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG (npm run cluster:up writes both)');
  exit(2);
}

async function transportFor(config: Portable.ClusterConfig): Promise<Portable.KubeTransport> {
  if (runtime !== 'node') return new FetchTransport(config, { timeoutMs: 30_000 });
  const { Agent, WebSocket } = await import('undici');
  const cert = config.clientCertificate;
  const dispatcher = new Agent({ connect: { ...(config.tls.ca ? { ca: config.tls.ca } : {}), ...(cert ? { cert: cert.cert, key: cert.key } : {}) } });
  const webSocket = (globalThis as { WebSocket?: unknown }).WebSocket ?? WebSocket;
  return new FetchTransport(config, { timeoutMs: 30_000, fetchOptions: { dispatcher }, webSocket: webSocket as Portable.FetchTransportOptions['webSocket'] });
}

const passed: string[] = [];
const failed: string[] = [];
async function check(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  try {
    await fn();
    passed.push(name);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed.push(name);
    console.log(`FAIL ${name}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}
function assert(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Error(`expected ${what}`);
}
async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function rejects(p: Promise<unknown>, type: new (...a: never[]) => Error, status: number): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert(e instanceof type, `${type.name}, got ${(e as Error).name}: ${(e as Error).message}`);
    assert((e as { code?: number }).code === status, `code ${status}`);
    return;
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}

const admin = kubeconfigConfig({ kubeconfig: await read(adminPath as string) });
const restricted = kubeconfigConfig({ kubeconfig: await read(restrictedPath as string) });
const kube = new Kube(admin, { transport: await transportFor(admin), fieldManager: 'conformance' });
const ns = `conf-${runtime}-${Math.random().toString(36).slice(2, 8)}`;
const cms = kube.configmaps.namespace(ns);

await check('client certificate: connect and list namespaces', async () => {
  assert(admin.clientCertificate !== undefined, 'the admin kubeconfig to hold a client certificate');
  const list = await kube.namespaces.list();
  assert(list.items.some((n) => n.metadata?.name === 'kube-system'), 'kube-system in the namespace list');
  await kube.namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});

await check('CRUD on a ConfigMap', async () => {
  const made = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
  assert(made.metadata?.uid, 'a uid');
  const got = await cms.get('c');
  assert(got.data?.a === '1', 'data.a = 1');
  const replaced = await cms.replace({ ...got, data: { a: '2' } });
  assert(replaced.data?.a === '2', 'data.a = 2 after replace');
  const patched = await cms.patch('c', k.mergePatch({ data: { b: '3' } }));
  assert(patched.data?.b === '3' && patched.data?.a === '2', 'merged data after patch');
  await cms.delete('c');
  await rejects(cms.get('c'), k.NotFoundError, 404);
});

await check('typed errors: 409 AlreadyExists and 409 Conflict', async () => {
  const first = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' } });
  await rejects(cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' } }), k.AlreadyExistsError, 409);
  await cms.replace({ ...first, data: { x: '1' } });
  await rejects(cms.replace({ ...first, data: { x: '2' } }), k.ConflictError, 409);
});

await check('list pages follow continue tokens', async () => {
  for (let i = 0; i < 5; i++) await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `page-${i}`, labels: { page: 'yes' } } });
  const sizes: number[] = [];
  for await (const page of cms.pages({ limit: 2, labelSelector: { page: 'yes' } })) sizes.push(page.items.length);
  assert(sizes.join(',') === '2,2,1', `pages of 2,2,1 (got ${sizes.join(',')})`);
});

await check('watch sees ADDED and DELETED', async () => {
  const stop = new AbortController();
  const seen: string[] = [];
  const list = await cms.list();
  const done = (async () => {
    for await (const e of cms.watch({ resourceVersion: list.metadata?.resourceVersion, signal: stop.signal })) {
      seen.push(`${e.type}:${(e.object as { metadata?: { name?: string } }).metadata?.name ?? ''}`);
      if (seen.includes('DELETED:w')) break;
    }
  })();
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w' } });
  await cms.delete('w');
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`watch saw only ${seen.join(' ')}`)), 20_000))]);
  stop.abort();
  assert(seen.includes('ADDED:w') && seen.includes('DELETED:w'), 'ADDED:w and DELETED:w');
});

await check('an informer converges', async () => {
  const inf = new Informer(handleSource(cms, { labelSelector: { page: 'yes' } }));
  const stop = new AbortController();
  inf.start(stop.signal);
  await inf.synced;
  assert(inf.list().length === 5, `5 cached objects (got ${inf.list().length})`);
  await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'page-new', labels: { page: 'yes' } } });
  await cms.delete('page-0');
  await until('the cache to hold page-new and not page-0', () => inf.get('page-new', ns) !== undefined && inf.get('page-0', ns) === undefined);
  stop.abort();
});

await check('token user: allowed in its namespace, 403 outside', async () => {
  assert(restricted.clientCertificate === undefined, 'the restricted kubeconfig to use a token, not a certificate');
  const rk = new Kube(restricted, { transport: await transportFor(restricted) });
  try {
    await rk.configmaps.namespace('restricted').list();
    await rejects(rk.configmaps.namespace(ns).list(), k.ForbiddenError, 403);
  } finally {
    await rk.close();
  }
});

await check('builders with validation, then server-side apply', async () => {
  let invalid: unknown;
  try {
    container('Not_A_Name', 'nginx');
  } catch (e) {
    invalid = e;
  }
  assert(invalid instanceof k.KubefluentError, 'a typed error for an invalid container name');
  const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'a', imagee: 'x' }] } } } };
  let rejected: unknown;
  try {
    await kube.deployments.namespace(ns).create(bad as never);
  } catch (e) {
    rejected = e;
  }
  assert(rejected instanceof k.ValidationError && rejected.message.includes('imagee'), `a ValidationError naming imagee (got ${String(rejected)})`);
  const web = deployment('web', pod().label('app', 'web').container(container('web', 'nginx:1.27').port(80, 'http'))).namespace(ns).replicas(1);
  const applied = await kube.deployments.namespace(ns).apply(web.build());
  assert(applied.spec?.replicas === 1, 'replicas 1 after apply');
  const again = await kube.deployments.namespace(ns).apply(web.replicas(2).build());
  assert(again.spec?.replicas === 2 && again.metadata?.managedFields?.some((f) => f.manager === 'conformance' && f.operation === 'Apply'), 'replicas 2, managed by conformance (Apply)');
});

// Streams over the platform WebSocket (kwok's ClusterExec runs commands on this machine; its
// ClusterPortForward echoes pod port 7 with `cat`): testenv/cluster.ts.
const restrictedPod = `${ns}-p`;
async function runningPod(handle: ReturnType<typeof kube.pods.namespace>, name: string): Promise<void> {
  // A Pod waits for its namespace's default ServiceAccount (the controller-manager makes it).
  await kube.serviceaccounts.namespace(handle.namespaceName as string).waitFor('default', (sa) => sa !== undefined, { timeoutMs: 60_000 });
  await handle.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 7 }] }] } });
  await handle.waitFor(name, (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
}
const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

await check('exec with a client certificate: stdout and stderr apart, exit codes, stdin, throughput', async () => {
  const pods = kube.pods.namespace(ns);
  await runningPod(pods, 'p');
  const run = await pods.exec('p', { command: ['sh', '-c', 'echo out; echo err >&2'] });
  const r = await run.output();
  assert(r.code === 0 && r.stdout === 'out\n' && r.stderr === 'err\n', `code 0, out/err apart (got ${JSON.stringify(r)})`);
  assert(run.protocol === 'v5.channel.k8s.io', `v5.channel.k8s.io (got ${run.protocol})`);
  // kwok does not pass exit codes through: it answers a failed Status "exit status 3" (test/streams/exec.int.test.ts).
  const failed = await (await pods.exec('p', { command: ['sh', '-c', 'exit 3'] })).exit.catch((e: unknown) => e);
  assert(failed instanceof k.ExecError && failed.reason === 'ExecFailed' && failed.status?.message?.includes('exit status 3'), `ExecError ExecFailed "exit status 3" (got ${String(failed)})`);
  // kwok never closes a command's stdin, so the command reads exactly the bytes sent. No
  // stdin.end() here: with kwok, the end-of-stdin signal arriving while stdin still flows
  // sometimes drops the connection mid-output, on both wires (seen here on Deno and undici in
  // about 1 run of 3 with a 1 MiB write, and once in 6 runs of the node wire's 50 MB test);
  // end-of-stdin itself is shown against a scripted server (test/fetch/platform-websocket.test.ts).
  const data = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
  const cat = await pods.exec('p', { command: ['head', '-c', String(data.length)], stdin: true });
  const sent = cat.stdin.write(data);
  const back: Uint8Array[] = [];
  for await (const c of cat.stdout) back.push(c);
  await sent;
  const echoed = concat(back);
  assert((await cat.exit) === 0 && echoed.length === data.length && echoed.every((b, i) => b === data[i]), `1 MiB through stdin and back (got ${echoed.length} bytes)`);
  const mb = 32;
  const t0 = Date.now();
  const big = await pods.exec('p', { command: ['head', '-c', String(mb << 20), '/dev/zero'] });
  let n = 0;
  for await (const c of big.stdout) n += c.length;
  assert((await big.exit) === 0 && n === mb << 20, `${mb} MiB of stdout (got ${n})`);
  console.log(`info exec stdout ${mb} MiB: ${((mb * 1000) / (Date.now() - t0)).toFixed(1)} MiB/s`);
  await rejects(pods.exec('nope', { command: ['true'] }), k.NotFoundError, 404);
  let wrong: unknown;
  try {
    await (await pods.exec('p', { command: ['true'], container: 'nope' })).exit;
  } catch (e) {
    wrong = e;
  }
  assert(wrong instanceof k.BadRequestError && wrong.message.includes('nope'), `BadRequestError naming the container (got ${String(wrong)})`);
});

await check('exec as the token user (bearer subprotocol): allowed in its namespace, 403 outside, token never in a message', async () => {
  await runningPod(kube.pods.namespace('restricted'), restrictedPod);
  const rk = new Kube(restricted, { transport: await transportFor(restricted) });
  try {
    const r = await (await rk.pods.namespace('restricted').exec(restrictedPod, { command: ['sh', '-c', 'echo "$KUBEFLUENT_TESTENV"'] })).output();
    assert(r.code === 0 && r.stdout === 'exec\n', `the command ran (got ${JSON.stringify(r)})`);
    let denied: unknown;
    try {
      await rk.pods.namespace(ns).exec('p', { command: ['true'] });
    } catch (e) {
      denied = e;
    }
    assert(denied instanceof k.ForbiddenError && denied.code === 403, `ForbiddenError 403 (got ${String(denied)})`);
    const token = (await restricted.credentials.get()).authorization?.replace(/^bearer\s+/i, '') ?? '';
    assert(token.length > 8 && !denied.message.includes(token) && !JSON.stringify(denied.status).includes(token), 'no token in the error');
  } finally {
    await rk.close();
  }
});

await check('openPort: bytes through a pod port and back', async () => {
  const stream = await kube.pods.namespace(ns).openPort('p', 7);
  const payload = new TextEncoder().encode('hello through the platform WebSocket\n'.repeat(1000));
  await stream.write(payload);
  const got: Uint8Array[] = [];
  let n = 0;
  for await (const c of stream) {
    got.push(c);
    n += c.length;
    if (n >= payload.length) break;
  }
  stream.close();
  const echoed = concat(got);
  assert(echoed.length === payload.length && echoed.every((b, i) => b === payload[i]), `the bytes echoed (got ${echoed.length})`);
  const refused = await kube.pods.namespace(ns).openPort('p', 9);
  await refused.write('x').catch(() => undefined);
  const why = await refused.done;
  assert(why instanceof k.PortForwardError && why.reason === 'RemotePortError', `PortForwardError RemotePortError for a closed pod port (got ${String(why)})`);
});

await check('cleanup', async () => {
  await kube.pods.namespace('restricted').delete(restrictedPod).catch(() => undefined);
  await kube.namespaces.delete(ns);
  await kube.close();
});

console.log(JSON.stringify({ runtime, passed: passed.length, failed }));
exit(failed.length === 0 ? 0 : 1);
