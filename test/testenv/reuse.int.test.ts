// Integration (real binaries from the shared cache, a real control plane started here): binaries
// a user already has are used instead of built ($KUBEFLUENT_BINARIES_DIR / binariesDir, and
// setup-envtest's $KUBEBUILDER_ASSETS for etcd and kube-apiserver), startTestEnv reports on
// stderr by default, and it installs CRDs from a directory, waiting until they are Established.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureBinaries, findExistingBinaries, startTestEnv, TestEnvError, type BinaryPaths, type BuildProgress } from '../../testenv/index.js';

const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'kubefluent-reuse-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let cached: BinaryPaths;
const mine = join(scratch, 'mine');
const assets = join(scratch, 'kubebuilder-assets');

beforeAll(async () => {
  // The shared cache (built by the suite's first cluster) plays the user's own binaries.
  cached = await ensureBinaries({ onProgress: () => {} });
  mkdirSync(mine);
  const links: Record<string, string> = {
    etcd: cached.etcd,
    'kube-apiserver': cached.kubeApiserver,
    'kube-controller-manager': cached.kubeControllerManager,
    'kube-scheduler': cached.kubeScheduler,
    kwok: cached.kwok,
    'stages.yaml': cached.kwokStages,
  };
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(mine, name));
  mkdirSync(assets);
  symlinkSync(cached.etcd, join(assets, 'etcd'));
  symlinkSync(cached.kubeApiserver, join(assets, 'kube-apiserver'));
}, 120_000);

// A cache dir that holds nothing: had anything been built, it would have had to go here.
const emptyCache = () => mkdtempSync(join(scratch, 'cache-'));

describe('binaries you already have', () => {
  it('KUBEFLUENT_BINARIES_DIR: every binary used from there, nothing built', async () => {
    const events: BuildProgress[] = [];
    const prev = process.env.KUBEFLUENT_BINARIES_DIR;
    process.env.KUBEFLUENT_BINARIES_DIR = mine;
    try {
      const paths = await ensureBinaries({ cacheDir: emptyCache(), onProgress: (e) => events.push(e), signal: AbortSignal.timeout(60_000) });
      expect(paths).toEqual({
        etcd: join(mine, 'etcd'),
        kubeApiserver: join(mine, 'kube-apiserver'),
        kubeControllerManager: join(mine, 'kube-controller-manager'),
        kubeScheduler: join(mine, 'kube-scheduler'),
        kwok: join(mine, 'kwok'),
        kwokStages: join(mine, 'stages.yaml'),
      });
      expect(events.map((e) => e.phase)).toEqual(['found', 'found', 'found', 'found', 'found']);
      expect(new Set(events.map((e) => (e.phase === 'found' ? e.source : '')))).toEqual(new Set(['KUBEFLUENT_BINARIES_DIR']));
    } finally {
      if (prev === undefined) delete process.env.KUBEFLUENT_BINARIES_DIR;
      else process.env.KUBEFLUENT_BINARIES_DIR = prev;
    }
  });

  it('KUBEBUILDER_ASSETS: etcd and kube-apiserver from setup-envtest, the rest from elsewhere', () => {
    const found = findExistingBinaries({}, { KUBEBUILDER_ASSETS: assets });
    expect([...found.keys()].sort()).toEqual(['etcd', 'kube-apiserver']);
    expect(found.get('kube-apiserver')).toEqual({ path: join(assets, 'kube-apiserver'), source: 'KUBEBUILDER_ASSETS' });
    // binariesDir comes first; KUBEBUILDER_ASSETS fills in only what it lacks.
    const partial = join(scratch, 'partial');
    mkdirSync(partial);
    symlinkSync(cached.kubeScheduler, join(partial, 'kube-scheduler'));
    const both = findExistingBinaries({ binariesDir: partial }, { KUBEBUILDER_ASSETS: assets });
    expect(Object.fromEntries([...both].map(([k, v]) => [k, v.source]))).toEqual({ 'kube-scheduler': 'binariesDir', etcd: 'KUBEBUILDER_ASSETS', 'kube-apiserver': 'KUBEBUILDER_ASSETS' });
  });

  it('a binary that does not run, or a directory that is not there, is a clear error', () => {
    const broken = join(scratch, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'etcd'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(broken, 'etcd'), 0o755);
    const e = (() => {
      try {
        findExistingBinaries({ binariesDir: broken }, {});
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(TestEnvError);
    expect((e as TestEnvError).message).toContain(`${join(broken, 'etcd')} (from binariesDir) does not run`);
    expect(() => findExistingBinaries({}, { KUBEBUILDER_ASSETS: join(scratch, 'none') })).toThrow(/KUBEBUILDER_ASSETS names .* which does not exist/);
  });
});

describe('startTestEnv with binariesDir and crdDirs, and no onProgress', () => {
  it('says on stderr which binaries it uses (once each), installs the CRDs, and they are served', async () => {
    const crds = join(scratch, 'crds');
    mkdirSync(crds);
    writeFileSync(
      join(crds, 'crontab.yaml'),
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: crontabs.stable.example.com }
spec:
  group: stable.example.com
  scope: Namespaced
  names: { plural: crontabs, singular: crontab, kind: CronTab }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, properties: { cronSpec: { type: string } } } } } }
`,
    );
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let env;
    try {
      env = await startTestEnv({ binariesDir: mine, crdDirs: [crds], cacheDir: emptyCache(), nodes: 1 });
    } finally {
      spy.mockRestore();
    }
    try {
      const ours = written.filter((l) => l.startsWith('[kubefluent testenv]'));
      expect(ours.sort()).toEqual(
        ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'].map((b) => `[kubefluent testenv] ${b}: using ${join(mine, b)} (from the binariesDir option)\n`).sort(),
      );
      const kubectl = (...args: string[]) => exec('kubectl', ['--kubeconfig', env.kubeconfigPath, ...args]);
      const established = await kubectl('get', 'crd', 'crontabs.stable.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}');
      expect(established.stdout).toBe('True');
      // Served right away: a custom resource can be created without waiting.
      const manifest = join(scratch, 'cr.yaml');
      writeFileSync(manifest, 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: { name: nightly, namespace: default }\nspec: { cronSpec: "0 3 * * *" }\n');
      await kubectl('apply', '-f', manifest);
      expect((await kubectl('get', 'crontabs', 'nightly', '-n', 'default', '-o', 'jsonpath={.spec.cronSpec}')).stdout).toBe('0 3 * * *');
      // …and more later, on the running cluster.
      const more = join(scratch, 'more');
      mkdirSync(more);
      writeFileSync(join(more, 'w.json'), JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } }));
      expect(await env.installCRDs([more])).toEqual(['widgets.example.com']);
      expect((await kubectl('get', 'widgets')).stderr).toContain('No resources found');
    } finally {
      await env.stop();
    }
  }, 240_000);
});
