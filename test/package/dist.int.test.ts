// Integration: the built package (dist/, as `npm test` builds it) loaded the way users load
// it — `require` from CommonJS and `import` from ESM, by package name through the exports
// map — making a real call to the local control plane through each. Also type-checks a
// CommonJS and an ESM consumer against the shipped .d.cts / .d.ts.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const dir = join(root, '.tmp', `dist-${process.pid}`);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.cjs'))) throw new Error('dist/ is missing: `npm test` builds it first (npm run build)');
  mkdirSync(dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(file: string, source: string): Promise<string> {
  const path = join(dir, file);
  writeFileSync(path, source);
  const { stdout } = await exec(process.execPath, [path], { cwd: root, env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
  return stdout.trim();
}

describe('built package', () => {
  it('works from CommonJS (require), with zod and yaml bundled and validation loaded on demand', async () => {
    const out = await run(
      'consumer.cjs',
      `const { Kube, NotFoundError } = require('kubefluent');
       const { pod, container } = require('kubefluent/builders');
       (async () => {
         const kube = await Kube.connect();
         const ns = await kube.namespaces.get('default');
         let reason = '';
         try { await kube.pods.namespace('default').get('does-not-exist'); } catch (e) { reason = e instanceof NotFoundError ? e.reason : String(e); }
         const built = pod('p').container(container('c', 'nginx')).build();
         let invalid = '';
         try { await kube.pods.namespace('default').create({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', imagee: 'nginx' }] } }); } catch (e) { invalid = e.name + ': ' + e.issues.map((i) => i.path).join(','); }
         console.log(JSON.stringify({ name: ns.metadata.name, reason, kind: built.kind, invalid, file: require.resolve('kubefluent') }));
         await kube.close();
       })().catch((e) => { console.error(e); process.exit(1); });`,
    );
    const result = JSON.parse(out) as { name: string; reason: string; kind: string; invalid: string; file: string };
    expect(result).toMatchObject({ name: 'default', reason: 'NotFound', kind: 'Pod', invalid: 'ValidationError: spec.containers[0].imagee' });
    expect(result.file).toBe(join(root, 'dist', 'index.cjs'));
  });

  it('works from ESM (import)', async () => {
    const out = await run(
      'consumer.mjs',
      `import { Kube } from 'kubefluent';
       import { startTestEnv } from 'kubefluent/testenv';
       const kube = await Kube.connect();
       const list = await kube.namespaces.list();
       const invalid = await kube.configmaps.namespace('default').create({ metadata: { name: 'x' }, dataa: {} }).then(() => 'created', (e) => e.name + ': ' + e.issues.map((i) => i.path).join(','));
       console.log(JSON.stringify({ names: list.items.map((n) => n.metadata.name), invalid, testenv: typeof startTestEnv, url: import.meta.resolve('kubefluent') }));
       await kube.close();`,
    );
    const result = JSON.parse(out) as { names: string[]; invalid: string; testenv: string; url: string };
    expect(result.names).toContain('kube-system');
    expect(result.invalid).toBe('ValidationError: dataa');
    expect(result.testenv).toBe('function');
    expect(result.url).toBe(`file://${join(root, 'dist', 'index.js')}`);
  });

  it('installs as one package: no runtime dependencies, each declaration chunk shipped once', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(pkg.dependencies ?? {}).toEqual({});
    const files = readdirSync(join(root, 'dist'));
    expect(files.filter((f) => /^models-.*\.d\.c?ts$/.test(f))).toEqual([]);
    expect(readdirSync(join(root, 'dist', 'types'))).toContain('models.d.ts');
    // Nothing in dist/ loads a package at run time besides Node's own modules.
    // Read by esbuild's parser (not a regex), so import text inside a string — the CRD
    // generator's templates — is not mistaken for an import. (tsup's CJS shim for
    // import.meta.url requires Node's `url` without the prefix: a built-in.)
    const bare = new Set<string>();
    for (const f of files.filter((x) => /\.c?js$/.test(x))) {
      const result = await build({ entryPoints: [join(root, 'dist', f)], bundle: true, write: false, metafile: true, platform: 'node', logLevel: 'silent', packages: 'external', format: f.endsWith('.cjs') ? 'cjs' : 'esm' });
      for (const input of Object.values(result.metafile.inputs)) {
        for (const imp of input.imports) if (imp.external && !imp.path.startsWith('node:') && !isBuiltin(imp.path)) bare.add(imp.path);
      }
    }
    expect([...bare]).toEqual([]);
  });

  it('ships types for both module systems', async () => {
    writeFileSync(join(dir, 'types-cjs.cts'), `import { Kube } from 'kubefluent';\nimport type { Pod } from 'kubefluent';\nexport async function f(): Promise<Pod> { const k = await Kube.connect(); return k.pods.namespace('x').get('y'); }\n`);
    writeFileSync(join(dir, 'types-esm.mts'), `import { Kube, type Pod } from 'kubefluent';\nimport { pod } from 'kubefluent/builders';\nimport type { apps, core } from 'kubefluent/models';\nexport const d: apps.v1.Deployment | core.v1.Pod | undefined = undefined;\nexport async function g(): Promise<Pod> { const k = await Kube.connect(); await k.pods.namespace('x').apply(pod('y').build(), { fieldManager: 'm' }); return k.pods.namespace('x').get('y'); }\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] }, files: ['types-cjs.cts', 'types-esm.mts'] }),
    );
    const { stdout } = await exec(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: root, timeout: 120_000 }).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout }),
    );
    expect(stdout).toBe('');
  }, 150_000);
});
