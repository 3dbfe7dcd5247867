/**
 * YAML read the way kubectl reads it, for manifests and kubeconfig files alike. No I/O.
 *
 * kubectl (k8s.io/apimachinery's YAMLOrJSONDecoder) splits a stream at lines starting with
 * `---`, reads each piece with go-yaml v2 through sigs.k8s.io/yaml, and turns it into JSON:
 * YAML 1.1 scalars (`0644` is 420, `on` is true), `<<` merge keys, the last of duplicate keys
 * wins, map keys become strings, NaN and infinities are refused, and an input starting with
 * `{` is read as a stream of JSON objects. The `yaml` package does the syntax; this module
 * gives the nodes kubectl's meaning (yaml-scalars.ts, yaml-quoted.ts) and keeps go-yaml's
 * limits: at most 10,000 levels of nesting and its alias-expansion ratio, so an alias bomb is
 * refused instead of exhausting memory.
 *
 * One deliberate difference: a document after a `...` end marker with no `---` before it is
 * silently dropped by kubectl; here it is refused with a problem naming the marker.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type Scalar } from 'yaml';
import { brand, KubefluentError } from './errors.js';
import { decodeDoubleQuoted } from './yaml-quoted.js';
import { jsonKey, jsonValue, resolveScalar, ScalarProblem, TAG } from './yaml-scalars.js';

/** One document of the input, as JSON-compatible data. */
export interface YamlDocument {
  /** 0-based position of the document in the input, counted as kubectl splits it (a `---` right after another opens no document). */
  readonly index: number;
  /** 1-based line where the document starts. */
  readonly line: number;
  /** The document's value; never undefined, null for an empty document. */
  readonly value: unknown;
}

/** Why one document could not be read. */
export interface YamlProblem {
  readonly index: number;
  /** 1-based line of the problem (or of the document's start when unknown). */
  readonly line: number;
  readonly message: string;
}

/** The input could not be read as kubectl reads it; `problems` names each document and line. */
export class YamlError extends KubefluentError {
  static { brand(this, 'YamlError'); }
  readonly problems: readonly YamlProblem[];
  constructor(problems: readonly YamlProblem[]) {
    super(
      `YAML could not be read (${problems.map((p) => `document ${p.index} line ${p.line}: ${p.message}`).join('; ')})`,
      'InvalidYaml',
    );
    this.name = 'YamlError';
    this.problems = problems;
  }
}

// The yaml package composes nodes recursively: past 600-900 levels the stack runs out. No
// real manifest comes near; kubectl itself stops at 10,000.
const TOO_DEEP = 'nested too deeply: kubefluent reads at least 500 levels of nesting, kubectl up to 10,000; flatten the document';

/** Deepest nesting go-yaml accepts (its max_flow_level / max_indents). */
export const MAX_DEPTH = 10_000;

class Stop extends Error {
  constructor(readonly problem: string, readonly offset: number | undefined) {
    super(problem);
  }
}

/** A value that has no JSON form (NaN, ±Inf); an error only if it is still in the result. */
class Deferred {
  constructor(readonly message: string, readonly offset: number) {}
}

function findDeferred(v: unknown): void {
  const stack = [v];
  while (stack.length) {
    const x = stack.pop();
    if (x instanceof Deferred) throw new Stop(x.message, x.offset);
    if (x !== null && typeof x === 'object') for (const item of Array.isArray(x) ? x : Object.values(x)) stack.push(item);
  }
}

// go-yaml v2's alias budget: aliases may make up 99% of the decoded nodes of small documents,
// falling to 10% for documents of 4,000,000 nodes; past it, "excessive aliasing".
function allowedAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodes - 400_000) / 3_600_000);
}

/** Walks one parsed document and builds the JSON kubectl would build. */
class Decoder {
  private decodes = 0;
  private aliases = 0;
  private aliasDepth = 0;
  private depth = 0;
  private readonly active = new Set<Node>();
  constructor(private readonly doc: Document, private readonly text: string) {}

  private deferred = 0;

  document(): unknown {
    this.count(0);
    const v = this.value(this.doc.contents as Node | null, 0);
    if (this.deferred > 0) findDeferred(v);
    return v;
  }

  private count(offset: number | undefined): void {
    this.decodes++;
    if (this.aliasDepth > 0) this.aliases++;
    if (this.aliases > 100 && this.decodes > 1000 && this.aliases / this.decodes > allowedAliasRatio(this.decodes)) {
      throw new Stop('document contains excessive aliasing (an alias bomb?): kubectl refuses it too', offset);
    }
  }

  private value(node: Node | null, offset: number): unknown {
    if (node === null) return null; // an empty value, as `key:` with nothing after it
    const at = node.range?.[0] ?? offset;
    this.count(at);
    if (isAlias(node)) {
      const target = this.target(node, at);
      if (this.active.has(node)) throw new Stop(`anchor '${node.source}' value contains itself`, at);
      this.active.add(node);
      this.aliasDepth++;
      try {
        return this.value(target, at);
      } finally {
        this.aliasDepth--;
        this.active.delete(node);
      }
    }
    if (isScalar(node)) {
      const v = jsonValue(this.scalar(node, at));
      if (v instanceof ScalarProblem) {
        // NaN and infinities fail only in the JSON step, after go-yaml has let a later duplicate
        // key replace them: remember the problem and judge what is left at the end.
        this.deferred++;
        return new Deferred(v.message, at);
      }
      return v;
    }
    if (++this.depth > MAX_DEPTH) throw new Stop(`exceeded max depth of ${MAX_DEPTH}`, at);
    try {
      if (isSeq(node)) return node.items.map((item) => this.value(item as Node | null, at));
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        this.mapInto(node.items as Pair<Node | null, Node | null>[], out, at);
        return out;
      }
    } finally {
      this.depth--;
    }
    throw new Stop('unsupported YAML node', at);
  }

  private target(alias: Node, at: number): Node {
    const t = isAlias(alias) ? alias.resolve(this.doc) : undefined;
    if (!t) throw new Stop(`unknown anchor '${isAlias(alias) ? alias.source : ''}' referenced`, at);
    return t as Node;
  }

  private scalar(node: Scalar, at: number) {
    let text: string;
    if (node.type === 'QUOTE_DOUBLE') {
      const [start, end] = node.range ?? [at, at];
      const src = this.text.slice(start, end);
      const open = src.indexOf('"');
      const decoded = decodeDoubleQuoted(src.slice(open + 1, src.lastIndexOf('"')));
      if (decoded instanceof ScalarProblem) throw new Stop(decoded.message, at);
      text = decoded;
    } else {
      text = node.value === null || node.value === undefined ? '' : String(node.value);
    }
    const r = resolveScalar(text, node.tag ?? '', node.type === 'PLAIN' || node.type === undefined);
    if (r instanceof ScalarProblem) throw new Stop(r.message, at);
    return r;
  }

  private mapInto(pairs: readonly Pair<Node | null, Node | null>[], out: Record<string, unknown>, at: number): void {
    for (const pair of pairs) {
      const k = pair.key;
      const kAt = k?.range?.[0] ?? at;
      // go-yaml's isMerge: the text `<<`, plain and untagged or tagged !!merge.
      if (k !== null && isScalar(k) && k.value === '<<' && (k.tag === TAG.merge || (k.tag === undefined && k.type === 'PLAIN'))) {
        this.merge(pair.value, out, kAt);
        continue;
      }
      const key = this.key(k, kAt);
      const value = this.value(pair.value, pair.value?.range?.[0] ?? kAt);
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
  }

  private key(node: Node | null, at: number): string {
    this.count(at);
    let n = node;
    if (n !== null && isAlias(n)) {
      n = this.target(n, at);
      this.count(at);
    }
    if (n !== null && (isMap(n) || isSeq(n))) throw new Stop('invalid map key: a mapping or sequence cannot be a key', at);
    const r = n === null ? ({ kind: 'null' } as const) : this.scalar(n as Scalar, at);
    const k = jsonKey(r);
    if (k instanceof ScalarProblem) throw new Stop(k.message, at);
    return k;
  }

  // go-yaml v2 merges by writing the merged keys into the map at the point of `<<`: a later
  // key overrides an earlier one; in a sequence of maps the first map wins.
  private merge(node: Node | null, out: Record<string, unknown>, at: number): void {
    const want = () => new Stop('map merge requires map or sequence of maps as the value', at);
    const one = (n: Node) => {
      if (isAlias(n)) {
        const t = this.target(n, at);
        if (!isMap(t)) throw want();
        this.count(at);
        if (this.active.has(n)) throw new Stop(`anchor '${n.source}' value contains itself`, at);
        this.active.add(n);
        this.aliasDepth++;
        try {
          this.count(at);
          this.mapInto(t.items as Pair<Node | null, Node | null>[], out, at);
        } finally {
          this.aliasDepth--;
          this.active.delete(n);
        }
        return;
      }
      if (!isMap(n)) throw want();
      this.count(at);
      this.mapInto(n.items as Pair<Node | null, Node | null>[], out, at);
    };
    if (node === null) throw want();
    if (isSeq(node)) {
      const items = node.items as (Node | null)[];
      for (let i = items.length - 1; i >= 0; i--) {
        const item = items[i];
        if (item === null || item === undefined) throw want();
        one(item);
      }
      return;
    }
    one(node);
  }
}

interface Chunk {
  readonly text: string;
  /** 1-based line of the chunk's first line. */
  readonly line: number;
}

/**
 * Splits like apimachinery's YAMLReader: a line starting with `---` ends a document; only
 * spaces or a comment may follow the marker. Line ends are normalised to `\n` as its line reader does.
 */
function splitDocuments(text: string, firstLine: number): { chunks: Chunk[]; problem?: YamlProblem } {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const chunks: Chunk[] = [];
  let buf: string[] = [];
  let start = firstLine;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        return {
          chunks,
          problem: { index: chunks.length, line: firstLine + i, message: 'invalid YAML document separator: only spaces or a comment may follow "---" on its line (kubectl refuses it too)' },
        };
      }
      if (buf.length) chunks.push({ text: buf.join(''), line: start });
      buf = [];
      start = firstLine + i + 1;
      continue;
    }
    buf.push(`${line}\n`);
  }
  if (buf.length) chunks.push({ text: buf.join(''), line: start });
  return { chunks };
}

function lineAt(counter: LineCounter, offset: number | undefined, base: number): number {
  return offset === undefined ? base : base + counter.linePos(offset).line - 1;
}

/** One kubectl document piece: the value of its first YAML document, or a problem. */
function readChunk(chunk: Chunk, index: number): YamlDocument | YamlProblem {
  const counter = new LineCounter();
  let docs: Document[];
  try {
    const parsed = parseAllDocuments(chunk.text, {
      version: '1.1', schema: 'failsafe', merge: false, uniqueKeys: false, lineCounter: counter, prettyErrors: false,
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    return { index, line: chunk.line, message: err instanceof RangeError ? TOO_DEEP : (err as Error).message };
  }
  const first = docs[0];
  if (!first) return { index, line: chunk.line, value: null };
  for (const e of first.errors) {
    if (e.code === 'BAD_DQ_ESCAPE') continue; // decoded (and judged) below, as libyaml does
    const message = /call stack/i.test(e.message) ? TOO_DEEP : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { index, line: lineAt(counter, e.pos[0], chunk.line), message };
  }
  const extra = docs.slice(1).find((d) => d.contents !== null || d.errors.length > 0);
  if (extra) {
    const extraStart = extra.range?.[0] ?? chunk.text.length;
    const marker = chunk.text.lastIndexOf("\n...", extraStart);
    return {
      index,
      line: lineAt(counter, marker >= 0 ? marker + 1 : extraStart, chunk.line),
      message: 'a document follows the "..." end marker without a "---" line: kubectl would silently ignore it; put "---" before it (or remove the "..." line)',
    };
  }
  try {
    return { index, line: chunk.line, value: new Decoder(first, chunk.text).document() };
  } catch (err) {
    if (err instanceof Stop) return { index, line: lineAt(counter, err.offset, chunk.line), message: err.problem };
    if (err instanceof RangeError) return { index, line: chunk.line, message: TOO_DEEP };
    throw err;
  }
}

// Go's unicode.IsSpace for the bytes that can start a stream.
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0]*/;

/** End offset of the JSON value starting at `i` (strings and brackets balanced), or -1. */
function jsonValueEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"') {
      for (j++; j < s.length && s[j] !== '"'; j++) if (s[j] === '\\') j++;
      if (j >= s.length) return -1;
      if (depth === 0) return j + 1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
      if (depth < 0) return -1;
    } else if (depth === 0 && /[\s{}[\],"]/.test(c!) && j > i) return j;
  }
  return depth === 0 ? s.length : -1;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Reads every document of a manifest stream as kubectl does. Returns the documents and, for
 * each document kubectl would refuse, a problem with its index and line (reading stops at a
 * bad `---` separator, as kubectl's does).
 */
export function readYamlStream(text: string): { documents: YamlDocument[]; problems: YamlProblem[] } {
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  if (/^\{/.test(text.replace(LEADING_SPACE, ''))) {
    // kubectl reads an input starting with "{" as a stream of JSON values, one after another.
    let pos = text.length - text.replace(LEADING_SPACE, '').length;
    while (pos < text.length) {
      const end = jsonValueEnd(text, pos);
      try {
        if (end < 0) throw new SyntaxError('unbalanced');
        documents.push({ index: documents.length, line: lineOf(text, pos), value: JSON.parse(text.slice(pos, end)) });
      } catch (err) {
        const why = err instanceof SyntaxError && err.message !== 'unbalanced' ? `: ${err.message}` : '';
        problems.push({
          index: documents.length,
          line: lineOf(text, pos),
          message: `invalid JSON${why} (an input starting with "{" is read as a stream of JSON objects, as kubectl reads it; write YAML without the leading "{" to mix in YAML)`,
        });
        return { documents, problems };
      }
      pos = end + /^[\t\n\v\f\r ]*/.exec(text.slice(end))![0].length;
    }
    return { documents, problems };
  }
  const { chunks, problem } = splitDocuments(text, 1);
  chunks.forEach((chunk, i) => {
    const r = readChunk(chunk, i);
    if ('value' in r) documents.push(r);
    else problems.push(r);
  });
  if (problem) problems.push(problem);
  return { documents, problems };
}

/**
 * Reads a single-document file (a kubeconfig) as kubectl does: the first document's value
 * (null when empty). A second non-empty document is refused rather than silently ignored.
 */
export function readYamlDocument(text: string): unknown {
  const { documents, problems } = readYamlStream(text);
  if (problems.length) throw new YamlError(problems);
  const present = documents.filter((d) => d.value !== null);
  if (present.length > 1) {
    throw new YamlError([{ index: present[1]!.index, line: present[1]!.line, message: 'a second document: this file holds one document only (kubectl would ignore the rest); remove it or the "---" before it' }]);
  }
  return present[0]?.value ?? null;
}

/** Like {@link readYamlStream}, but throws a {@link YamlError} naming every problem. */
export function readYamlDocuments(text: string): YamlDocument[] {
  const { documents, problems } = readYamlStream(text);
  if (problems.length) throw new YamlError(problems);
  return documents;
}
