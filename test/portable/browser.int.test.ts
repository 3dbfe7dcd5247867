// The demo page (examples/web) in a real browser — Debian's Chromium, headless, driven by
// playwright-core with that executable (never a browser download) — served by `kubectl proxy --www`
// against the real local control plane: it lists Pods through an informer over watch, creates and
// scales a Deployment with the builders, sees Pods appear and disappear, and keeps watching after
// the proxy is restarted. The screenshot in the README (examples/web/screenshot.png) is taken here.
// Then exec and openPort from a page over Chromium's own WebSocket, through kubectl proxy.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../examples/web/build.js';
import { portablePlugin } from '../../scripts/portable-plugin.js';
import { Kube } from '../../src/index.js';

const CHROMIUM = process.env.KUBEFLUENT_CHROMIUM ?? '/usr/bin/chromium';
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG as string;
const ns = `web-demo-${Math.random().toString(36).slice(2, 7)}`;
const screenshot = join(import.meta.dirname, '../../examples/web/screenshot.png');

let www = '';
let port = 0;
let proxy: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let kube: Kube;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** `kubectl proxy` serving the page under /ui/ and the API at the root, as the README says. */
async function startProxy(on: number = port, extra: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'proxy', `--port=${on}`, `--www=${www}`, '--www-prefix=/ui/', '--api-prefix=/', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubectl proxy did not start: ${out}`)), 15_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('Starting to serve')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`kubectl proxy exited (${code}): ${out}`)));
  });
  return child;
}

async function stopProxy(): Promise<void> {
  const p = proxy;
  proxy = undefined;
  if (!p || p.exitCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await gone;
}

type Shown = { name?: string; phase?: string };
const shown = (): Promise<Shown[]> => page.evaluate(() => (globalThis as unknown as { demo: { pods(): Shown[] } }).demo.pods());
const state = (): Promise<string> => page.evaluate(() => (globalThis as unknown as { demo: { health(): { state: string } } }).demo.health().state);

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
const webPods = (n: number) => (pods: Shown[]): boolean => pods.filter((p) => p.name?.startsWith('web-')).length === n;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
  kube = await Kube.connect({ kubeconfig, fieldManager: 'browser-test' });
  await kube.namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  www = await buildDemo(mkdtempSync(join(tmpdir(), 'kubefluent-web-')));
  port = await freePort();
  proxy = await startProxy();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 820, height: 560 } });
  page.on('pageerror', (e) => console.log('[page error]', e.message));
}, 120_000);

afterAll(async () => {
  // What the page said (its own log line per action), for a failure's diagnosis.
  if (page) console.log('[page log]', await page.textContent('#log').catch(() => ''));
  await browser?.close();
  await stopProxy();
  if (streamsProxy && streamsProxy.exitCode === null) {
    const gone = new Promise((r) => streamsProxy?.once('exit', r));
    streamsProxy.kill('SIGTERM');
    await gone;
  }
  await kube?.namespaces.delete(`${ns}-exec`).catch(() => undefined);
  await kube?.namespaces.delete(ns).catch(() => undefined);
  await kube?.close();
});

describe('the demo page in Chromium through kubectl proxy --www', () => {
  it('lists Pods live, creates and scales a Deployment with the builders, and keeps watching across a proxy restart', async () => {
    await page.goto(`http://127.0.0.1:${port}/ui/?ns=${ns}`);
    await until('the informer to watch', state, (s) => s === 'watching', 30_000);
    expect(await shown()).toEqual([]);

    // Created from the page with the builders (server-side apply), 2 replicas: Pods appear through the watch.
    await page.fill('#replicas', '2');
    await page.click('#create');
    await until('2 web Pods on the page', shown, webPods(2));
    const dep = await kube.deployments.namespace(ns).get('web');
    expect(dep.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.27');
    expect(dep.metadata?.managedFields?.some((f) => f.manager === 'web-demo' && f.operation === 'Apply')).toBe(true);

    // Scaled from the page: up to 4, then down to 1 (Pods disappear through the watch).
    await page.fill('#replicas', '4');
    await page.click('#scale');
    await until('4 web Pods', shown, webPods(4));
    await page.fill('#replicas', '1');
    await page.click('#scale');
    await until('1 web Pod', shown, webPods(1));

    // The proxy goes away and comes back on the same port: the watch resumes by itself.
    await stopProxy();
    await until('the watch to notice the proxy is gone', state, (s) => s !== 'watching', 60_000);
    await kube.scale({ kind: 'Deployment', name: 'web', namespace: ns }, 3);
    proxy = await startProxy();
    await until('the watch to resume', state, (s) => s === 'watching', 60_000);
    const pods = await until('3 web Pods after the restart (changes made while the proxy was down)', shown, webPods(3));
    expect(pods.every((p) => p.name?.startsWith('web-'))).toBe(true);
    await until('the Pods to run (kwok)', shown, (ps) => ps.length === 3 && ps.every((p) => p.phase === 'Running'), 30_000);

    await page.screenshot({ path: screenshot });
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
  }, 300_000);
});

let streamsProxy: ChildProcess | undefined;
type Outcome = { ok: true; value: unknown } | { ok: false; name: string; reason: string; message: string; cause?: string };

describe('exec and openPort from a page, over the browser\'s WebSocket, through kubectl proxy', () => {
  it('runs a command and echoes bytes through a pod port; kubectl proxy\'s default filter refusing exec is a typed ForbiddenError', async () => {
    const execNs = `${ns}-exec`;
    await kube.namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: execNs } });
    // Pods wait for the namespace's default ServiceAccount (the controller-manager makes it).
    await kube.serviceaccounts.namespace(execNs).waitFor('default', (sa) => sa !== undefined, { timeoutMs: 60_000 });
    const pods = kube.pods.namespace(execNs);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 7 }] }] } });
    await pods.waitFor('p', (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
    await build({
      entryPoints: [join(import.meta.dirname, 'support/streams-page.ts')], outfile: join(www, 'streams.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
      logLevel: 'warning', plugins: [portablePlugin()], tsconfigRaw: '{}', alias: { 'kubefluent/portable': join(import.meta.dirname, '../../src/portable.ts') },
    });
    copyFileSync(join(import.meta.dirname, 'support/streams-page.html'), join(www, 'streams.html'));
    // kubectl proxy refuses exec and attach unless told otherwise (--reject-paths); this one lets exec through.
    const open = await freePort();
    streamsProxy = await startProxy(open, ['--reject-paths=^/api/.*/pods/.*/attach$']);
    const tab = await (browser as Browser).newPage();
    tab.on('pageerror', (e) => console.log('[streams page error]', e.message));
    const call = (fn: 'exec' | 'echo', ...args: unknown[]): Promise<Outcome> => tab.evaluate(
      ([f, a]) => (globalThis as unknown as { streams: Record<string, (...x: unknown[]) => Promise<Outcome>> }).streams[f as string]!(...(a as unknown[])), [fn, args] as const,
    );

    await tab.goto(`http://127.0.0.1:${open}/ui/streams.html`);
    await tab.waitForFunction(() => (globalThis as { streams?: unknown }).streams !== undefined);
    const command = ['sh', '-c', 'echo "out $KUBEFLUENT_TESTENV"; echo err >&2'];
    let ran = await call('exec', execNs, 'p', command);
    // kwok's exec (behind the API server's v5 translation) now and then drops a connection with no
    // close frame (1006) — seen once in CI here, and on the node wire too (exec.int.test.ts under
    // load). One retry for that alone, said aloud; a drop that repeats, or any other failure, fails.
    if (!ran.ok && ran.reason === 'ConnectionLost') {
      console.log(`[streams page] exec dropped (${ran.message}; ${ran.cause ?? 'no cause'}); one retry`);
      ran = await call('exec', execNs, 'p', command);
    }
    expect(ran).toEqual({ ok: true, value: { protocol: 'v5.channel.k8s.io', code: 0, stdout: 'out exec\n', stderr: 'err\n' } });
    const text = 'through the browser WebSocket\n'.repeat(200);
    expect(await call('echo', execNs, 'p', 7, text)).toEqual({ ok: true, value: text });

    // The demo's proxy keeps kubectl's default filter: the page gets the typed error, not a bare WebSocket failure.
    await tab.goto(`http://127.0.0.1:${port}/ui/streams.html`);
    await tab.waitForFunction(() => (globalThis as { streams?: unknown }).streams !== undefined);
    const refused = await call('exec', execNs, 'p', ['true']);
    expect(refused).toMatchObject({ ok: false, name: 'ForbiddenError' });
    await tab.close();
  }, 180_000);
});
