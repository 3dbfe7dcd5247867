/**
 * kubectl as the oracle for reading manifests: `kubectl label --local -f FILE … -o json k=v`
 * parses every file offline (no server) exactly as `kubectl apply -f` does and prints each
 * object with the label added. Many files go into one call; a file kubectl refuses is named
 * on stderr ("error parsing FILE: …") while the others are still printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManifestError, parseManifests } from '../../src/ops/manifests.js';

const run = promisify(execFile);

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface OracleCase {
  /** Unique, used as the file name. */
  readonly id: string;
  readonly text: string;
  /** The file has a document after a `...` marker with no `---`: kubectl drops it, we must refuse naming the marker. */
  readonly endMarkerThenDocument?: boolean;
}

export interface KubectlVerdict {
  /** Objects kubectl printed for the file (label k=v added), or undefined when it refused the file. */
  readonly objects: unknown[] | undefined;
  readonly error: string | undefined;
}

/** Splits kubectl's `-o json` output (one pretty-printed object after another). */
function splitJsonObjects(out: string): unknown[] {
  const parts = out.split(/^(?=\{)/m).filter((p) => p.trim() !== '');
  return parts.flatMap((p) => {
    const o = JSON.parse(p) as { kind?: string; items?: unknown[] };
    return o.kind === 'List' && Array.isArray(o.items) ? o.items : [o];
  });
}

const MARKER_KIND = 'OracleFileEnd';
// Appended to every file kubectl accepts, so that its objects can be told apart in one output
// stream (kubectl's line reader ends every line with a newline anyway, so the text before it
// means the same). Both kubectl and we read the same marked text.
const MARKER = `---\napiVersion: kubefluent.test/v1\nkind: ${MARKER_KIND}\nmetadata:\n  name: end\n`;

const JSON_MARKER = JSON.stringify({ apiVersion: 'kubefluent.test/v1', kind: MARKER_KIND, metadata: { name: 'end' } });

export function marked(text: string): string {
  const nl = text === '' || text.endsWith('\n') ? '' : '\n';
  // A stream of JSON objects (kubectl reads a file starting with "{" as one) takes a JSON marker.
  if (/^\s*\{/.test(text) && !text.includes('\n---')) return `${text}${nl}${JSON_MARKER}\n`;
  return `${text}${nl}${MARKER}`;
}

export function isMarker(o: unknown): boolean {
  return (o as { kind?: unknown } | null)?.kind === MARKER_KIND;
}

async function kubectl(paths: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const args = ['label', '--local', '-o', 'json', ...paths.flatMap((p) => ['-f', p]), 'oracle=kubectl'];
  try {
    return await run(KUBECTL, args, { maxBuffer: 512 * 1024 * 1024, env: { ...process.env, KUBECONFIG: '/dev/null' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    if (typeof e.stdout !== 'string') throw err; // kubectl missing: fail loudly
    return { stdout: e.stdout, stderr: e.stderr ?? '' };
  }
}

/**
 * Two kubectl calls over all files: the first finds the files kubectl refuses (named on
 * stderr); the second reads the others, each with an end marker appended, and splits the
 * printed objects per file at the markers.
 */
export async function kubectlVerdicts(files: readonly { id: string; path: string; text: string }[]): Promise<Map<string, KubectlVerdict>> {
  const out = new Map<string, KubectlVerdict>();
  const BATCH = 500;
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    const first = await kubectl(batch.map((f) => f.path));
    const refused = new Map<string, string>();
    for (const line of first.stderr.split('\n')) {
      for (const f of batch) if (line.includes(`"${f.path}"`) || line.includes(`${f.path}:`) || line.endsWith(f.path)) refused.set(f.id, line);
    }
    if (first.stderr.trim() !== '' && refused.size === 0) throw new Error(`kubectl failed: ${first.stderr}`);
    const accepted = batch.filter((f) => !refused.has(f.id));
    for (const f of batch) if (refused.has(f.id)) out.set(f.id, { objects: undefined, error: refused.get(f.id) });
    for (const f of accepted) writeFileSync(`${f.path}.marked.yaml`, marked(f.text));
    const second = await kubectl(accepted.map((f) => `${f.path}.marked.yaml`));
    if (second.stderr.trim() !== '') throw new Error(`kubectl refused marked files it had accepted: ${second.stderr}`);
    let k = 0;
    let current: unknown[] = [];
    for (const o of splitJsonObjects(second.stdout)) {
      if (!isMarker(o)) {
        current.push(o);
        continue;
      }
      const f = accepted[k++];
      if (!f) throw new Error('more end markers than files');
      out.set(f.id, { objects: current, error: undefined });
      current = [];
    }
    if (k !== accepted.length) throw new Error(`kubectl printed ${k} end markers for ${accepted.length} files`);
  }
  return out;
}

/** Our reading of a file, or the error. */
export function ourVerdict(text: string): { objects: unknown[] | undefined; error: unknown } {
  try {
    const docs = parseManifests(text).filter((d) => !isMarker(d.object));
    // kubectl refuses an object without kind ("Object 'Kind' is missing"); applyManifests does too, before sending anything.
    const untyped = docs.find(({ object: o }) => typeof o.kind !== 'string' || o.kind === '');
    if (untyped) return { objects: undefined, error: new ManifestError([{ index: untyped.index, subject: 'object', path: 'kind', message: 'kind is required' }]) };
    return { objects: docs.map((d) => d.object), error: undefined };
  } catch (error) {
    return { objects: undefined, error };
  }
}

/**
 * What `kubectl label` and its printer change, undone on both sides: the label it was asked to
 * add (with the metadata or labels map it creates for it), and managedFields (the printer hides them).
 */
export function normalise(o: unknown): unknown {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
  const obj = o as Record<string, unknown>;
  // Labelling creates metadata and replaces `labels: null`.
  const meta = 'metadata' in obj ? obj.metadata : {};
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return o;
  const { managedFields: _m, ...rest } = meta as Record<string, unknown>;
  const labels = rest.labels;
  if (labels !== null && typeof labels === 'object' && !Array.isArray(labels)) {
    const { oracle: _o, ...others } = labels as Record<string, unknown>;
    if (Object.keys(others).length) rest.labels = others;
    else delete rest.labels;
  } else if (labels === null) delete rest.labels;
  return { ...obj, metadata: rest };
}

/** JSON with sorted keys: the same data gives the same text whatever the key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

export interface Disagreement {
  readonly id: string;
  readonly what: string;
  readonly text: string;
}

/** Writes the cases, asks kubectl, compares with ours; returns every disagreement. */
export async function compareWithKubectl(cases: readonly OracleCase[]): Promise<{ disagreements: Disagreement[]; agreedAccepted: number; agreedRefused: number; endMarker: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kf-oracle-'));
  const files = cases.map((c) => {
    const path = join(dir, `${c.id}.yaml`);
    writeFileSync(path, c.text);
    return { id: c.id, path, text: c.text };
  });
  const verdicts = await kubectlVerdicts(files);
  const disagreements: Disagreement[] = [];
  let agreedAccepted = 0;
  let agreedRefused = 0;
  let endMarker = 0;
  for (const c of cases) {
    const k = verdicts.get(c.id)!;
    const ours = ourVerdict(k.objects === undefined ? c.text : marked(c.text));
    const say = (what: string) => disagreements.push({ id: c.id, what, text: c.text });
    if (c.endMarkerThenDocument && ours.error instanceof ManifestError && ours.error.message.includes('"..."')) {
      endMarker++;
      continue;
    }
    if (ours.error !== undefined && !(ours.error instanceof ManifestError)) {
      say(`we threw ${(ours.error as Error)?.name}: ${(ours.error as Error)?.message} (not a ManifestError)`);
      continue;
    }
    if (k.objects === undefined) {
      if (ours.objects === undefined) agreedRefused++;
      else say(`kubectl refused (${k.error}) but we read ${canonical(ours.objects)}`);
      continue;
    }
    if (ours.objects === undefined) {
      say(`kubectl read ${canonical(k.objects)} but we refused: ${(ours.error as Error).message}`);
      continue;
    }
    const a = k.objects.map((o) => canonical(normalise(o))).sort();
    const b = ours.objects.map((o) => canonical(normalise(o))).sort();
    if (a.join('\n') !== b.join('\n')) say(`different objects:\n    kubectl: ${a.join(' ')}\n    ours:    ${b.join(' ')}`);
    else agreedAccepted++;
  }
  return { disagreements, agreedAccepted, agreedRefused, endMarker };
}

export function report(d: readonly Disagreement[]): string {
  return d.map((x) => `--- ${x.id}: ${x.what}\n${x.text.split('\n').map((l) => `    | ${l}`).join('\n')}`).join('\n');
}
