/**
 * The generator as a function (the CLI is a thin shell over it): read CRDs, render every
 * served version, then replace the output directory in one step — or, with `check`, only
 * compare (for CI: "is the generated code up to date?").
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { KubeClient } from '../client/kube.js';
import type { Crd } from './crd.js';
import { CrdGenError } from './errors.js';
import { crdsFromCluster, crdsFromPaths } from './input.js';
import { renderCrds } from './render.js';
import { writeOutput } from './write.js';

export interface GenerateCrdsOptions {
  /** CRD manifests: files (multi-document YAML, JSON) and directories of them. */
  readonly inputs?: readonly string[];
  /** Read the CRDs installed in this cluster instead (optionally only one API group, and/or only the CRDs named `<plural>.<group>`). */
  readonly cluster?: { readonly kube: KubeClient; readonly group?: string; readonly names?: readonly string[] };
  /** The output directory; replaced as a whole (it must be empty, new, or made by this generator). */
  readonly outDir: string;
  /** Compare with what is in `outDir` instead of writing; the result lists the differing files. */
  readonly check?: boolean;
  readonly signal?: AbortSignal;
}

export interface GenerateCrdsResult {
  readonly crds: number;
  readonly versions: number;
  /** Relative paths of the files generated. */
  readonly files: readonly string[];
  readonly bytes: number;
  readonly milliseconds: number;
  /** With `check`: files that would be added, changed or removed (empty when up to date). */
  readonly outOfDate: readonly string[];
}

function existing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Generates types, validators and resource specs for CRDs; throws {@link CrdGenError} and leaves `outDir` untouched on any problem. */
export async function generateCrds(options: GenerateCrdsOptions): Promise<GenerateCrdsResult> {
  const start = performance.now();
  let crds: Crd[];
  if (options.cluster) {
    if (options.inputs && options.inputs.length > 0) throw new CrdGenError('NoInput', '(input)', '', 'give either files/directories or --from-cluster, not both');
    crds = await crdsFromCluster(options.cluster.kube, { ...(options.cluster.group !== undefined ? { group: options.cluster.group } : {}), ...(options.cluster.names ? { names: options.cluster.names } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } else {
    crds = crdsFromPaths(options.inputs ?? []);
  }
  const rendered = renderCrds(crds);
  const names = Object.keys(rendered.files).sort();
  let outOfDate: string[] = [];
  if (options.check) {
    const have = existing(options.outDir);
    outOfDate = [...new Set([...names, ...have.keys()])].filter((n) => have.get(n) !== rendered.files[n]).sort();
  } else {
    writeOutput(options.outDir, rendered.files);
  }
  return {
    crds: rendered.crds,
    versions: rendered.versions,
    files: names,
    bytes: names.reduce((n, f) => n + Buffer.byteLength(rendered.files[f]!), 0),
    milliseconds: Math.round(performance.now() - start),
    outOfDate,
  };
}
