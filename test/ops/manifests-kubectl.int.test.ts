// Integration: manifests kubectl applies, applyManifests applies — against the real local
// control plane. Cluster-scoped objects carrying a namespace (item 4), removed and not-served
// API versions (item 5), and a server dry run of the k8s.io/kubernetes module's manifests,
// compared file by file with `kubectl apply --dry-run=server`.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifests, Kube, ManifestError, parseManifests } from 'kubefluent';
import { kubernetesYamlFiles } from '../yaml/kubernetes-manifests.js';

const exec = promisify(execFile);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;
const suffix = Date.now().toString(36);
let kube: Kube;

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig, fieldManager: 'manifests-kubectl-test' });
});

afterAll(async () => {
  await kube.clusterroles.delete(`kf-scoped-${suffix}`).catch(() => undefined);
});

/** kubectl with the manifest on stdin; stdout and stderr together, whatever the exit code. */
function kubectlWithInput(args: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end(input);
  });
}

async function thrown(p: Promise<unknown>): Promise<ManifestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
}

describe('a cluster-scoped object carrying metadata.namespace', () => {
  it('is applied with the namespace dropped and a warning, as kubectl applies it', async () => {
    const name = `kf-scoped-${suffix}`;
    const input = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\n  namespace: kube-system\nrules:\n- apiGroups: [""]\n  resources: [pods]\n  verbs: [get]\n`;
    // kubectl's verdict on the same manifest: a server dry run accepts it.
    expect(await kubectlWithInput(['apply', '--dry-run=server', '-o', 'name', '-f', '-'], input)).toContain(`clusterrole.rbac.authorization.k8s.io/${name}`);
    const results = await applyManifests(kube, input, { fieldManager: 'manifests-kubectl-test' });
    expect(results).toHaveLength(1);
    expect(results[0]!.action).toBe('applied');
    expect(results[0]!.namespace).toBeUndefined();
    expect(results[0]!.warning).toMatch(/ClusterRole is cluster-scoped: metadata\.namespace "kube-system" was dropped/);
    expect(results[0]!.object?.metadata?.namespace).toBeUndefined();
    const fetched = await kube.clusterroles.get(name);
    expect(fetched.rules?.[0]?.verbs).toEqual(['get']);
    await kube.clusterroles.delete(name);
  });
});

describe('API versions the cluster does not serve', () => {
  it('removed ones are named as removed, with the version to use; nothing is applied', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kf-removed-${suffix}, namespace: default}\n`;
    const input = [
      cm,
      'apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: old-cron, namespace: default}\nspec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}}\n',
      'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: old-ingress, namespace: default}\nspec: {backend: {serviceName: s, servicePort: 80}}\n',
      'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: old-psp}\nspec: {}\n',
    ].join('---\n');
    const err = await thrown(applyManifests(kube, input, { fieldManager: 'manifests-kubectl-test' }));
    const byIndex = new Map(err.problems.map((p) => [p.index, p.message]));
    expect(byIndex.get(1)).toMatch(/CronJob batch\/v1beta1 was removed in Kubernetes 1\.25; use apiVersion batch\/v1; this cluster does not serve it either/);
    expect(byIndex.get(2)).toMatch(/Ingress networking\.k8s\.io\/v1beta1 was removed in Kubernetes 1\.22; use apiVersion networking\.k8s\.io\/v1/);
    expect(byIndex.get(3)).toMatch(/PodSecurityPolicy policy\/v1beta1 was removed in Kubernetes 1\.25 \(.*Pod Security Admission/);
    expect(byIndex.has(0)).toBe(false);
    expect(await kube.configmaps.namespace('default').getOrUndefined(`kf-removed-${suffix}`)).toBeUndefined();
    // kubectl refuses them too.
    expect(await kubectlWithInput(['apply', '--dry-run=server', '-f', '-'], input)).toMatch(/no matches for kind "CronJob" in version "batch\/v1beta1"/);
  });

  it('an alpha version this cluster does not serve is named as such, with the versions it does serve', async () => {
    const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/apis/coordination.k8s.io'], { timeout: 60_000 });
    const served = (JSON.parse(stdout) as { versions: { version: string }[] }).versions.map((v) => v.version);
    expect(served).not.toContain('v1alpha2'); // alpha APIs are off unless enabled
    // LeaseCandidate v1alpha2 is in the pinned release's spec (valid here) but not served by this cluster.
    const input = 'apiVersion: coordination.k8s.io/v1alpha2\nkind: LeaseCandidate\nmetadata: {name: lc, namespace: default}\nspec: {leaseName: l, binaryVersion: "1.37.0", strategy: OldestEmulationVersion}\n';
    const err = await thrown(applyManifests(kube, input, { fieldManager: 'manifests-kubectl-test', dryRun: true }));
    expect(err.problems[0]!.message).toBe(
      `this cluster does not serve coordination.k8s.io/v1alpha2 (an alpha/beta version: not enabled, or no longer served); it serves coordination.k8s.io at ${served.join(', ')}`,
    );
    // A version the pinned release does not know at all, in a served group.
    const old = 'apiVersion: resource.k8s.io/v1alpha2\nkind: ResourceClaim\nmetadata: {name: rc, namespace: default}\nspec: {}\n';
    const err2 = await thrown(applyManifests(kube, old, { fieldManager: 'manifests-kubectl-test', dryRun: true }));
    expect(err2.problems[0]!.message).toMatch(/^this cluster does not serve resource\.k8s\.io\/v1alpha2 \(an alpha\/beta version: not enabled, or no longer served\); it serves resource\.k8s\.io at .*v1/);
  });
});

async function kubectlDryRunRefusals(files: readonly string[]): Promise<string> {
  const args = ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '-o', 'name', ...files.flatMap((f) => ['-f', f])];
  try {
    const r = await exec('kubectl', args, { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    return r.stderr;
  } catch (e) {
    return (e as { stderr?: string }).stderr ?? String(e);
  }
}

async function kubectlRefusesFile(path: string): Promise<boolean> {
  try {
    await exec('kubectl', ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '-o', 'name', '-f', path], { timeout: 120_000 });
    return false;
  } catch {
    return true;
  }
}

describe('the k8s.io/kubernetes module manifests, in a server dry run', () => {
  it('applyManifests with dryRun accepts every file kubectl apply --dry-run=server accepts', { timeout: 600_000 }, async () => {
    // Files we read (the unit oracle shows kubectl reads the same objects) holding only
    // objects with a name, a kind and an apiVersion: what kubectl apply can take at all.
    const candidates = kubernetesYamlFiles().filter((f) => {
      try {
        const docs = parseManifests(readFileSync(f.path, 'utf8'));
        return docs.length > 0 && docs.every((d) => typeof d.object.apiVersion === 'string' && typeof d.object.kind === 'string' && typeof d.object.metadata?.name === 'string');
      } catch {
        return false;
      }
    });
    const stderr = await kubectlDryRunRefusals(candidates.map((f) => f.path));
    const accepted = candidates.filter((f) => !stderr.includes(f.path));
    const disagreements: string[] = [];
    let documents = 0;
    let recheckedRefused = 0;
    for (const f of accepted) {
      const text = readFileSync(f.path, 'utf8');
      try {
        // force: kubectl's client-side apply overwrites fields other managers own (the API
        // server's own on built-in objects); server-side apply needs force to do the same.
        const results = await applyManifests(kube, text, { fieldManager: 'manifests-kubectl-test', dryRun: true, force: true });
        documents += results.length;
      } catch (e) {
        // Some kubectl errors ("unable to recognize …") do not name the file: ask kubectl about this file alone.
        if (await kubectlRefusesFile(f.path)) {
          recheckedRefused++;
          continue;
        }
        disagreements.push(`${f.rel}: ${(e as Error).message}`);
      }
    }
    console.log(
      `server dry run: ${candidates.length} files with named objects; kubectl accepted ${accepted.length - recheckedRefused} (applyManifests: ${documents} objects), ` +
        `refused ${candidates.length - accepted.length + recheckedRefused}; applyManifests refused ${disagreements.length} of those kubectl accepted`,
    );
    if (disagreements.length) console.log(disagreements.join('\n'));
    expect(disagreements).toEqual([]);
    expect(accepted.length).toBeGreaterThan(50);
  });
});
