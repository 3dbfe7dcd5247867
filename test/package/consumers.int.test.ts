// Integration (real local control plane; the npm registry once, to cache the tools): the
// packed tarball as a user gets it. attw and publint judge the package in every resolution
// mode; then real consumers, each in its own temp project with only the tarball installed,
// load it and call the local cluster — a Jest suite (CommonJS), a Vitest suite, a plain
// Node CommonJS script and an ESM script — and tsc type-checks a consumer with node10
// (module commonjs, no moduleResolution), node16 (.cts and .mts) and bundler settings.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, ensureTools, pack, root, run, toolBin } from './consumers.js';

const base = join(tmpdir(), `kubefluent-consumers-${process.pid}`);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;
let tarball = '';

beforeAll(async () => {
  await ensureTools();
  tarball = await pack(join(base, 'pack'));
}, 900_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

// Plain output (no colours) and none of the parent vitest's variables leaking into a child vitest.
const childEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, NODE_OPTIONS: '', NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'FORCE_COLOR' || k === 'TEST') delete env[k];
  return env;
};
const node = (args: readonly string[], cwd: string) => run(process.execPath, args, { cwd, env: childEnv() });

// One real call through the package, and a typed error the server caused.
const SMOKE_CJS = `const { Kube, NotFoundError } = require('kubefluent');
const { pod, container } = require('kubefluent/builders');
const { startTestEnv } = require('kubefluent/testenv');
async function smoke() {
  const kube = await Kube.connect();
  try {
    const ns = await kube.namespaces.get('default');
    let reason = '';
    try { await kube.configmaps.namespace('default').get('consumer-does-not-exist'); } catch (e) { reason = e instanceof NotFoundError ? e.reason : 'not a NotFoundError: ' + e; }
    return { name: ns.metadata.name, reason, kind: pod('p').container(container('c', 'nginx')).build().kind, testenv: typeof startTestEnv };
  } finally { await kube.close(); }
}
`;

describe('the packed tarball', () => {
  it('attw: every entry point green in node10, node16 (CJS and ESM) and bundler resolution', async () => {
    const r = await node([toolBin('@arethetypeswrong/cli', 'attw'), tarball, '--format', 'json'], base);
    const report = JSON.parse(r.stdout) as {
      problems?: Record<string, unknown[]>;
      analysis: { entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
    };
    expect(Object.values(report.problems ?? {}).flat()).toEqual([]);
    const entrypoints = report.analysis.entrypoints;
    expect(Object.keys(entrypoints).sort()).toEqual(['.', './builders', './controller', './models', './package.json', './testenv', './testing']);
    for (const entry of ['.', './builders', './controller', './models', './testenv', './testing']) {
      const resolutions = entrypoints[entry]!.resolutions;
      expect(Object.keys(resolutions).sort(), entry).toEqual(['bundler', 'node10', 'node16-cjs', 'node16-esm']);
      // node10 (TypeScript's `module: commonjs` default) finds the CommonJS declarations.
      expect(resolutions.node10!.resolution?.fileName, entry).toMatch(/\.d\.cts$/);
      expect(resolutions['node16-esm']!.resolution?.fileName, entry).toMatch(/\.d\.ts$/);
    }
    expect(r.code).toBe(0);
  }, 300_000);

  it('publint: no errors, warnings or suggestions', async () => {
    const r = await node([toolBin('publint', 'publint'), tarball], base);
    expect(r.stdout).toContain('All good!');
    expect(r.code).toBe(0);
  }, 300_000);

  it('ships LICENSE, the third-party notices and the changelog', async () => {
    const r = await run('tar', ['tzf', tarball], { cwd: base });
    const files = r.stdout.split('\n');
    for (const f of ['package/LICENSE', 'package/THIRD_PARTY_NOTICES', 'package/CHANGELOG.md', 'package/README.md']) expect(files).toContain(f);
  });
});

describe('consumers installed from the tarball', () => {
  it('a plain Node CommonJS script (require)', async () => {
    const dir = join(base, 'cjs');
    await consumerProject(dir, tarball);
    writeFileSync(join(dir, 'main.cjs'), `${SMOKE_CJS}smoke().then((r) => console.log(JSON.stringify({ ...r, file: require.resolve('kubefluent') })), (e) => { console.error(e); process.exit(1); });\n`);
    const r = await node(['main.cjs'], dir);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ name: 'default', reason: 'NotFound', kind: 'Pod', testenv: 'function', file: join(dir, 'node_modules', 'kubefluent', 'dist', 'index.cjs') });
  }, 120_000);

  it('a plain Node ESM script (import)', async () => {
    const dir = join(base, 'esm');
    await consumerProject(dir, tarball, { type: 'module' });
    writeFileSync(
      join(dir, 'main.js'),
      `import { Kube, NotFoundError } from 'kubefluent';
import { deployment, podTemplate, container } from 'kubefluent/builders';
import { startTestEnv } from 'kubefluent/testenv';
const kube = await Kube.connect();
const list = await kube.namespaces.list();
const reason = await kube.secrets.namespace('default').get('consumer-does-not-exist').then(() => 'found', (e) => (e instanceof NotFoundError ? e.reason : String(e)));
const d = deployment('web', podTemplate().labels({ app: 'web' }).container(container('web', 'nginx'))).build();
console.log(JSON.stringify({ names: list.items.map((n) => n.metadata.name).includes('kube-system'), reason, kind: d.kind, testenv: typeof startTestEnv, url: import.meta.resolve('kubefluent') }));
await kube.close();
`,
    );
    const r = await node(['main.js'], dir);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ names: true, reason: 'NotFound', kind: 'Deployment', testenv: 'function', url: `file://${join(dir, 'node_modules', 'kubefluent', 'dist', 'index.js')}` });
  }, 120_000);

  it('a Jest suite (CommonJS)', async () => {
    const dir = join(base, 'jest');
    await consumerProject(dir, tarball);
    writeFileSync(
      join(dir, 'kube.test.js'),
      `${SMOKE_CJS}
test('kubefluent from jest', async () => {
  const r = await smoke();
  expect(r).toEqual({ name: 'default', reason: 'NotFound', kind: 'Pod', testenv: 'function' });
  expect(require.resolve('kubefluent')).toMatch(/node_modules\\/kubefluent\\/dist\\/index\\.cjs$/);
});
`,
    );
    const r = await node([toolBin('jest', 'jest'), '--rootDir', dir, '--ci', '--colors=false'], dir);
    expect(`${r.stdout}${r.stderr}`).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(r.code).toBe(0);
  }, 300_000);

  it('a Vitest suite', async () => {
    const dir = join(base, 'vitest');
    await consumerProject(dir, tarball, { type: 'module' });
    writeFileSync(
      join(dir, 'kube.test.js'),
      `import { Kube, NotFoundError } from 'kubefluent';
import { pod, container } from 'kubefluent/builders';
test('kubefluent from vitest', async () => {
  const kube = await Kube.connect();
  try {
    const ns = await kube.namespaces.get('default');
    const err = await kube.pods.namespace('default').get('consumer-does-not-exist').catch((e) => e);
    expect(ns.metadata.name).toBe('default');
    expect(err).toBeInstanceOf(NotFoundError);
    expect(pod('p').container(container('c', 'nginx')).build().kind).toBe('Pod');
  } finally {
    await kube.close();
  }
});
`,
    );
    writeFileSync(join(dir, 'vitest.config.js'), `export default { test: { globals: true, include: ['kube.test.js'] } };\n`);
    const r = await node([toolBin('vitest', 'vitest'), 'run', '--root', dir, '--config', join(dir, 'vitest.config.js')], dir);
    expect(`${r.stdout}${r.stderr}`).toMatch(/Tests\s+1 passed \(1\)/);
    expect(r.code).toBe(0);
  }, 300_000);

  it('tsc: node10 (module commonjs), node16 (.cts and .mts) and bundler resolution', async () => {
    const dir = join(base, 'tsc');
    await consumerProject(dir, tarball);
    // Every entry point, with names from each, in a file each module setting compiles.
    const body = (ext: string) => `import { Kube, NotFoundError, type Pod } from 'kubefluent';
import { pod, container, BuilderError } from 'kubefluent/builders';
import type { apps, core, Deployment } from 'kubefluent/models';
import { startTestEnv, type TestEnv } from 'kubefluent/testenv';
export const kinds: Array<apps.v1.Deployment | core.v1.Pod | Deployment | undefined> = [];
export async function f(env?: TestEnv): Promise<Pod> {
  const kube = await Kube.connect();
  const p = pod('y').container(container('c', 'nginx')).build();
  await kube.pods.namespace('x').apply(p, { fieldManager: 'm' });
  try { return await kube.pods.namespace('x').get('y'); } catch (e) { if (e instanceof NotFoundError || e instanceof BuilderError) throw e; throw e; } finally { void env; void startTestEnv; void ${JSON.stringify(ext)}; }
}
`;
    writeFileSync(join(dir, 'consumer.ts'), body('ts'));
    writeFileSync(join(dir, 'consumer.cts'), body('cts'));
    writeFileSync(join(dir, 'consumer.mts'), body('mts'));
    const common = { target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] };
    const setups: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
      node10: { compilerOptions: { ...common, module: 'commonjs', esModuleInterop: true }, files: ['consumer.ts'] },
      node16: { compilerOptions: { ...common, module: 'node16', moduleResolution: 'node16' }, files: ['consumer.cts', 'consumer.mts'] },
      bundler: { compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler' }, files: ['consumer.ts'] },
    };
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const out: Record<string, string> = {};
    for (const [name, config] of Object.entries(setups)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify(config));
      const r = await node([tsc, '-p', join(dir, `tsconfig.${name}.json`), '--pretty', 'false'], dir);
      out[name] = `${r.code} ${r.stdout}`.trim();
    }
    expect(out).toEqual({ node10: '0', node16: '0', bundler: '0' });
  }, 300_000);
});
