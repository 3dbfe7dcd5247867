/**
 * Reading manifests: text (YAML or JSON, exactly as kubectl reads it) or objects → the
 * documents to apply, or a ManifestError naming every document (and line) that cannot be read.
 */
import type { KubeObject } from '../client/types.js';
import { brand, KubefluentError } from '../core/errors.js';
import { readYamlStream } from '../core/yaml.js';

/** One problem in one document: `document 2 (Deployment "web"): spec.replicas: expected number`. */
export interface ManifestProblem {
  /** 0-based position of the document in the input. */
  readonly index: number;
  /** `Deployment "web"` when known. */
  readonly subject: string;
  /** `spec.template.spec.containers[0].image`; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

/** The manifests were not applied (nothing was); `problems` lists every reason. */
export class ManifestError extends KubefluentError {
  static { brand(this, 'ManifestError'); }
  readonly problems: readonly ManifestProblem[];
  constructor(problems: readonly ManifestProblem[], what = 'manifests are invalid; nothing was applied') {
    const lines = problems.map((p) => `  - document ${p.index} (${p.subject})${p.path ? ` ${p.path}` : ''}: ${p.message}`);
    super(`${what} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, 'InvalidManifest');
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

/** One document of a manifest, with where it came from. */
export interface ManifestDocument {
  readonly index: number;
  readonly object: KubeObject;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function subjectOf(o: unknown): string {
  if (!isRecord(o)) return 'not an object';
  const kind = typeof o.kind === 'string' ? o.kind : 'object';
  const name = isRecord(o.metadata) && typeof o.metadata.name === 'string' ? ` ${JSON.stringify(o.metadata.name)}` : '';
  return kind + name;
}

/**
 * Parses multi-document YAML (or JSON) exactly as `kubectl apply -f` reads it (see
 * core/yaml.ts: YAML 1.1 scalars, so `0644` is 420; merge keys; a stream of JSON objects),
 * or takes objects as they are. A document with `items` is a list, as kubectl sees it: its
 * items are the objects (those naming no apiVersion and kind get the list's, `PodList` →
 * `Pod`). Throws a ManifestError naming every document (and line) that cannot be read.
 */
export function parseManifests(input: string | readonly unknown[]): ManifestDocument[] {
  const problems: ManifestProblem[] = [];
  const raw: { index: number; value: unknown }[] = [];
  if (typeof input === 'string') {
    const read = readYamlStream(input);
    for (const p of read.problems) problems.push({ index: p.index, subject: 'YAML', path: `line ${p.line}`, message: p.message });
    raw.push(...read.documents);
  } else {
    input.forEach((value, index) => raw.push({ index, value }));
  }
  const out: ManifestDocument[] = [];
  for (const { index, value: o } of raw) {
    if (o === undefined || o === null) continue; // an empty document (e.g. a trailing ---)
    if (!isRecord(o)) {
      problems.push({ index, subject: 'document', path: '', message: `expected an object with apiVersion and kind, got ${Array.isArray(o) ? 'an array' : typeof o}` });
      continue;
    }
    if ('items' in o) {
      flatten(o, index, out, problems);
      continue;
    }
    out.push({ index, object: o as KubeObject });
  }
  if (problems.length) throw new ManifestError(problems);
  return out;
}

function flatten(list: Record<string, unknown>, index: number, out: ManifestDocument[], problems: ManifestProblem[]): void {
  if (list.items === null) return;
  if (!Array.isArray(list.items)) {
    problems.push({ index, subject: subjectOf(list), path: 'items', message: 'a document with "items" is a list (as kubectl reads it): items must be a list of objects' });
    return;
  }
  const kind = typeof list.kind === 'string' ? list.kind.replace(/List$/, '') : '';
  list.items.forEach((item: unknown, i) => {
    if (!isRecord(item)) {
      problems.push({ index, subject: subjectOf(list), path: `items[${i}]`, message: 'expected an object' });
      return;
    }
    const typed = item.kind === undefined && item.apiVersion === undefined && kind ? { ...item, apiVersion: list.apiVersion, kind } : item;
    out.push({ index, object: typed as KubeObject });
  });
}
