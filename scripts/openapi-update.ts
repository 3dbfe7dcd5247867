/**
 * Pins the Kubernetes OpenAPI v3 documents that `npm run generate` reads.
 *
 *   npm run openapi:update -- v1.37.2
 *
 * The documents come from the Go module proxy (the only source reachable from CI and
 * from this project's sandboxes), via `go mod download -json k8s.io/kubernetes@<ver>`.
 * They are copied into a temp dir next to openapi/ and swapped in at the end, so
 * openapi/ is never left half-written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface GoModDownload {
  Path: string;
  Version: string;
  Dir?: string;
  Sum?: string;
  Error?: string;
}

/** What openapi/source.json records about where the documents came from. */
export interface OpenAPISource {
  module: string;
  version: string;
  sum: string;
  path: string;
  /** Every document copied, sorted; generate refuses to run when one is missing or unlisted. */
  files: string[];
}

const MODULE = 'k8s.io/kubernetes';
const SPEC_DIR = 'api/openapi-spec/v3';

/** Downloads (or finds in the Go cache) k8s.io/kubernetes@version and returns go's answer. */
function goModDownload(version: string): GoModDownload {
  let out: string;
  try {
    out = execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${version}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('`go` was not found on PATH; install Go to update the OpenAPI documents');
    // go prints the JSON (with an Error field) on stdout even when it fails.
    out = e.stdout ?? '';
    if (out.trim() === '') throw new Error(`go mod download ${MODULE}@${version} failed: ${e.stderr ?? e.message}`);
  }
  const info = JSON.parse(out) as GoModDownload;
  if (info.Error) throw new Error(`go mod download ${MODULE}@${version}: ${info.Error}`);
  if (!info.Dir) throw new Error(`go mod download ${MODULE}@${version} reported no Dir`);
  return info;
}

/** Replaces `<outDir>/v3` and `<outDir>/source.json` with the documents of `version`. */
export function updateOpenAPI(version: string, outDir: string): OpenAPISource {
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error(`version must look like v1.37.2, got ${JSON.stringify(version)}`);
  }
  const info = goModDownload(version);
  const specDir = join(info.Dir!, SPEC_DIR);
  if (!existsSync(specDir)) throw new Error(`${specDir} does not exist in ${MODULE}@${version}`);
  const files = readdirSync(specDir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no *.json in ${specDir}`);

  const parent = dirname(resolve(outDir));
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.openapi-tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'v3'), { recursive: true });
  try {
    for (const f of files) {
      // Parse each one now so a corrupt download never reaches openapi/; write rather than
      // copy so the files are not read-only like the Go module cache.
      const text = readFileSync(join(specDir, f), 'utf8');
      JSON.parse(text);
      writeFileSync(join(tmp, 'v3', f), text);
    }
    const source: OpenAPISource = { module: MODULE, version: info.Version, sum: info.Sum ?? '', path: SPEC_DIR, files };
    writeFileSync(join(tmp, 'source.json'), JSON.stringify(source, null, 2) + '\n');
    writeFileSync(join(tmp, 'VERSION'), info.Version + '\n');
    const old = `${resolve(outDir)}.old-${process.pid}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(tmp, outDir);
    rmSync(old, { recursive: true, force: true });
    return source;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const version = process.argv[2];
  if (!version) {
    console.error('usage: npm run openapi:update -- <version>   (e.g. v1.37.2)');
    process.exit(2);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const src = updateOpenAPI(version, join(root, 'openapi'));
    console.log(`openapi/: ${src.files.length} documents of ${src.module}@${src.version} (${src.sum})`);
  } catch (err) {
    console.error(`openapi:update failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
