/**
 * The portable conformance script: one run of the portable build (dist/portable, the fetch
 * transport) against the real local control plane, the same script on Deno, Bun and Node.
 *
 *   deno run -A test/portable/conformance.ts   |   bun test/portable/conformance.ts   |   tsx test/portable/conformance.ts
 *
 * env: KUBEFLUENT_TEST_KUBECONFIG (admin, client certificate), KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG
 * (a token user limited to namespace "restricted"). Prints one line per check and a last JSON
 * line `{"runtime":…,"passed":n,"failed":[…]}`; exits 1 when a check fails.
 * On Node (no per-runtime TLS knob in fetch) it hands an undici dispatcher to the transport.
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
  const { Agent } = await import('undici');
  const cert = config.clientCertificate;
  const dispatcher = new Agent({ connect: { ...(config.tls.ca ? { ca: config.tls.ca } : {}), ...(cert ? { cert: cert.cert, key: cert.key } : {}) } });
  return new FetchTransport(config, { timeoutMs: 30_000, fetchOptions: { dispatcher } });
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

await check('cleanup', async () => {
  await kube.namespaces.delete(ns);
  await kube.close();
});

console.log(JSON.stringify({ runtime, passed: passed.length, failed }));
exit(failed.length === 0 ? 0 : 1);
