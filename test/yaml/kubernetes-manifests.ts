/**
 * Every YAML file inside the k8s.io/kubernetes module that testenv builds from (test fixtures,
 * e2e testing manifests, hack/testdata, addons, …), found in the Go module cache; `go mod
 * download` fetches the module when it is not there yet (the testenv build fetches it anyway).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export function kubernetesModuleVersion(): string {
  const gomod = readFileSync(new URL('../../testenv/go/kubernetes/go.mod', import.meta.url), 'utf8');
  const m = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(gomod);
  if (!m) throw new Error('testenv/go/kubernetes/go.mod names no k8s.io/kubernetes version');
  return m[1]!;
}

export function kubernetesModuleDir(): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${kubernetesModuleVersion()}`], { encoding: 'utf8', timeout: 600_000 });
  return (JSON.parse(out) as { Dir: string }).Dir;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
}

/** Every .yaml/.yml file of the module, sorted, with its path relative to the module. */
export function kubernetesYamlFiles(): { path: string; rel: string }[] {
  const root = kubernetesModuleDir();
  const files: string[] = [];
  walk(root, files);
  return files.sort().map((path) => ({ path, rel: relative(root, path) }));
}
