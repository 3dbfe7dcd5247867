/**
 * Where CRDs come from: manifest files (multi-document YAML or JSON, `List`s too) and
 * directories of them, or the cluster of the current kubeconfig context. Documents that are
 * not CRDs are skipped (a directory of examples may mix kinds); a document that is not
 * YAML, or a CRD that is malformed, stops generation with the file, document and JSONPath.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../client/kube.js';
import { KubeError, KubefluentError } from '../core/errors.js';
import { type Crd, readCrd } from './crd.js';
import { CrdGenError } from './errors.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A path as shown in errors and in the generated headers, with `/`: relative to the working
 * directory, or — outside it — to the parent of the input given, so the output does not depend
 * on where the input lives (a Go module cache, a temp dir).
 */
function display(path: string, root: string, cwd: string): string {
  const rel = relative(cwd, path);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? relative(dirname(root), path) : rel;
  return shown.split(sep).join('/');
}

function filesUnder(path: string, explicit: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CrdGenError('NoInput', path, '', 'no such file or directory');
  }
  if (st.isDirectory()) {
    return readdirSync(path).sort().flatMap((name) => (name.startsWith('.') ? [] : filesUnder(join(path, name), false)));
  }
  return explicit || EXTENSIONS.has(extname(path).toLowerCase()) ? [path] : [];
}

/** The CRDs in one file's text; `label` names the file in errors and headers. */
export function crdsFromText(text: string, label: string): Crd[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Crd[] = [];
  list.forEach((d, i) => {
    const source = list.length === 1 ? label : `${label}#${i}`;
    if (d.errors.length > 0) {
      const e = d.errors[0]!;
      throw new CrdGenError('InvalidCrd', source, '$', `not valid YAML/JSON: ${e.message.split('\n')[0]} (line ${e.linePos?.[0]?.line ?? '?'})`);
    }
    const o: unknown = d.toJS({ maxAliasCount: 100 });
    const items = isRecord(o) && Array.isArray(o.items) && /List$/.test(String(o.kind)) ? o.items : [o];
    items.forEach((item: unknown, j: number) => {
      if (!isRecord(item) || item.kind !== 'CustomResourceDefinition') return;
      out.push(readCrd(item, items.length === 1 ? source : `${source}.items[${j}]`));
    });
  });
  return out;
}

/** Every CRD in the given files and directories (directories: *.yaml, *.yml, *.json, recursively, in name order). */
export function crdsFromPaths(paths: readonly string[], cwd = process.cwd()): Crd[] {
  const out: Crd[] = [];
  for (const p of paths) {
    const root = resolve(cwd, p);
    for (const file of filesUnder(root, true)) {
      out.push(...crdsFromText(readFileSync(file, 'utf8'), display(file, root, cwd)));
    }
  }
  return out;
}

/**
 * The CRDs installed in the cluster, through our own client: optionally only one API group and/or
 * only the CRDs named (`<plural>.<group>`); a name that is not installed is an error that names it.
 */
export async function crdsFromCluster(kube: KubeClient, options: { group?: string; names?: readonly string[]; signal?: AbortSignal } = {}): Promise<Crd[]> {
  let items: readonly unknown[];
  try {
    const list = await kube.resource('apiextensions.k8s.io/v1/customresourcedefinitions').list({ ...(options.signal ? { signal: options.signal } : {}) });
    items = list.items;
  } catch (err) {
    const server = kube.config.server;
    if (err instanceof KubeError) {
      throw new CrdGenError('ClusterUnreachable', server, '', `listing CustomResourceDefinitions failed: ${err.message}`, { cause: err });
    }
    if (err instanceof KubefluentError) throw new CrdGenError('ClusterUnreachable', server, '', `cannot reach the cluster: ${err.message}`, { cause: err });
    throw err;
  }
  const nameOf = (i: unknown): string | undefined => (isRecord(i) && isRecord(i.metadata) && typeof i.metadata.name === 'string' ? i.metadata.name : undefined);
  const wanted = options.names && options.names.length > 0 ? new Set(options.names) : undefined;
  if (wanted) {
    const installed = new Set(items.map(nameOf));
    const missing = [...wanted].filter((n) => !installed.has(n));
    if (missing.length > 0) {
      throw new CrdGenError('NoInput', `cluster ${kube.config.server}`, '', `no CustomResourceDefinition named ${missing.join(', ')} is installed (a name is <plural>.<group>, as 'kubectl get crd' lists it)`);
    }
  }
  const crds = items
    .filter((i) => options.group === undefined || (isRecord(i) && isRecord(i.spec) && i.spec.group === options.group))
    .filter((i) => wanted === undefined || wanted.has(nameOf(i) ?? ''))
    .map((i) => {
      const name = isRecord(i) && isRecord(i.metadata) ? String(i.metadata.name) : '?';
      return readCrd({ apiVersion: 'apiextensions.k8s.io/v1', ...(i as object) }, `cluster: ${name}`);
    });
  if (crds.length === 0) {
    throw new CrdGenError('NoInput', `cluster ${kube.config.server}`, '', options.group ? `no CustomResourceDefinition of group ${options.group}${wanted ? ' with those names' : ''} is installed` : 'no CustomResourceDefinition is installed');
  }
  return crds;
}
