// Integration: the dual package loads two copies of kubefluent when ESM and CommonJS meet in
// one process (dist/index.js and dist/index.cjs). An error thrown by one copy must pass
// `instanceof` against the other copy's classes, both ways — here with a real 404 and a
// real 409 from the local control plane, and with errors built by each copy.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const dir = join(root, '.tmp', `dual-${process.pid}`);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.cjs'))) throw new Error('dist/ is missing: `npm test` builds it first (npm run build)');
  mkdirSync(dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const cjs = require('kubefluent');
const esm = await import('kubefluent');
const builders = require('kubefluent/builders');
const out = { twoCopies: cjs.NotFoundError !== esm.NotFoundError, files: [require.resolve('kubefluent'), import.meta.resolve('kubefluent')] };

// Real errors from the API server, thrown by each copy's client.
const ref = { method: 'GET', path: '/x' };
async function notFound(lib) {
  const kube = await lib.Kube.connect();
  try { await kube.configmaps.namespace('default').get('kubefluent-dual-missing'); return undefined; }
  catch (e) { return e; } finally { await kube.close(); }
}
async function conflict(lib) {
  const kube = await lib.Kube.connect();
  try { await kube.namespaces.create({ metadata: { name: 'default' } }); return undefined; }
  catch (e) { return e; } finally { await kube.close(); }
}
const fromCjs = await notFound(cjs);
const fromEsm = await notFound(esm);
const exists = await conflict(cjs);
out.cjsErrorVsEsmClasses = [fromCjs instanceof esm.NotFoundError, fromCjs instanceof esm.KubeError, fromCjs instanceof esm.KubefluentError, fromCjs instanceof esm.ConflictError, fromCjs instanceof Error];
out.esmErrorVsCjsClasses = [fromEsm instanceof cjs.NotFoundError, fromEsm instanceof cjs.KubeError, fromEsm instanceof cjs.KubefluentError, fromEsm instanceof cjs.ConflictError, fromEsm instanceof Error];
out.sameCopy = [fromCjs instanceof cjs.NotFoundError, fromEsm instanceof esm.NotFoundError];
out.alreadyExists = [exists instanceof esm.AlreadyExistsError, exists instanceof esm.NotFoundError, exists?.reason];
// Errors built by each copy, a subclass chain two deep (ExpiredError → GoneError → KubeError).
const expired = cjs.errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired' }, ref);
out.expired = [expired instanceof esm.ExpiredError, expired instanceof esm.GoneError, expired instanceof esm.TimeoutError];
const usage = new esm.UsageError('bad');
out.usage = [usage instanceof cjs.UsageError, usage instanceof cjs.KubefluentError, usage instanceof cjs.WatchError];
// The builders entry is one more copy under CommonJS.
let builderError;
try { builders.pod('p').build(); } catch (e) { builderError = e; }
const esmBuilders = await import('kubefluent/builders');
out.builderError = [builderError instanceof esm.KubefluentError, builderError instanceof esmBuilders.BuilderError, builderError instanceof esm.ValidationError];
// Errors of the other layers: validation (a real write refused before it is sent), manifests.
let invalid;
{
  const kube = await cjs.Kube.connect();
  try { await kube.configmaps.namespace('default').create({ metadata: { name: 'x' }, dataa: {} }); } catch (e) { invalid = e; } finally { await kube.close(); }
}
let manifest;
try { esm.parseManifests('kind: [unclosed'); } catch (e) { manifest = e; }
out.otherLayers = [invalid instanceof esm.ValidationError, manifest instanceof cjs.ManifestError, manifest instanceof cjs.ValidationError];
console.log(JSON.stringify(out));
`;

describe('dual package: instanceof across the ESM and CommonJS copies', () => {
  it('an error from either copy is an instance of the other copy\'s classes (and only of the right ones)', async () => {
    const file = join(dir, 'dual.mjs');
    writeFileSync(file, script);
    const { stdout } = await exec(process.execPath, [file], { cwd: root, env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
    const out = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(out.twoCopies).toBe(true);
    expect(out.files).toEqual([join(root, 'dist', 'index.cjs'), `file://${join(root, 'dist', 'index.js')}`]);
    expect(out.cjsErrorVsEsmClasses).toEqual([true, true, true, false, true]);
    expect(out.esmErrorVsCjsClasses).toEqual([true, true, true, false, true]);
    expect(out.sameCopy).toEqual([true, true]);
    expect(out.alreadyExists).toEqual([true, false, 'AlreadyExists']);
    expect(out.expired).toEqual([true, true, false]);
    expect(out.usage).toEqual([true, true, false]);
    expect(out.builderError).toEqual([true, true, false]);
    expect(out.otherLayers).toEqual([true, true, false]);
  });
});
