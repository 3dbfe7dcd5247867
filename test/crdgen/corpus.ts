/**
 * The real-world CRD corpus: CRDs and example manifests that other projects ship inside their
 * Go modules, fetched with `go mod download` into the Go module cache (outside the clone,
 * reused across runs; nothing is committed). Versions are pinned: the proxy serves these.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface CorpusModule {
  readonly module: string;
  readonly version: string;
  /** Directories (in the module) holding its CRDs. */
  readonly crds: readonly string[];
  /** Files or directories (in the module) holding example manifests. */
  readonly examples: readonly string[];
}

export const CORPUS: readonly CorpusModule[] = [
  // Gateway API: the experimental channel is a superset of the standard one (same CRDs, more fields and kinds).
  { module: 'sigs.k8s.io/gateway-api', version: 'v1.6.3', crds: ['config/crd/experimental'], examples: ['examples'] },
  // cert-manager: the newest versions the proxy serves carry deploy/crds (v1.21.x); its example objects are its test fixtures.
  { module: 'github.com/cert-manager/cert-manager', version: 'v1.21.2', crds: ['deploy/crds'], examples: ['test/fixtures/cert-manager-resources.yaml'] },
  // prometheus-operator: the proxy serves v0.85.0 of the root module.
  { module: 'github.com/prometheus-operator/prometheus-operator', version: 'v0.85.0', crds: ['example/prometheus-operator-crd'], examples: ['example'] },
];

/** Downloads (or finds in the cache) one module; returns its directory. */
export function download(m: CorpusModule): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${m.module}@${m.version}`], {
    cwd: tmpdir(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOFLAGS: '-mod=mod' }, timeout: 300_000,
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${m.module}@${m.version}: ${info.Error ?? 'no Dir in the answer'}`);
  return info.Dir;
}

function yamlFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isDirectory()) return readdirSync(path).sort().flatMap((n) => yamlFiles(join(path, n)));
  return /\.(ya?ml|json)$/.test(path) ? [path] : [];
}

export interface Manifest {
  /** `<module>@<version>/<path>#<document>` */
  readonly label: string;
  readonly object: Record<string, unknown>;
}

/** Every object in the YAML files under `paths` (unparsable files and non-objects are skipped: examples include templates). */
export function manifests(moduleDir: string, label: string, paths: readonly string[]): Manifest[] {
  const out: Manifest[] = [];
  for (const p of paths) {
    for (const file of yamlFiles(join(moduleDir, p))) {
      const docs = parseAllDocuments(readFileSync(file, 'utf8'));
      (Array.isArray(docs) ? docs : [docs]).forEach((d, i) => {
        if (d.errors.length > 0) return;
        const o: unknown = d.toJS();
        if (o !== null && typeof o === 'object' && !Array.isArray(o)) out.push({ label: `${label}/${relative(moduleDir, file)}#${i}`, object: o as Record<string, unknown> });
      });
    }
  }
  return out;
}
