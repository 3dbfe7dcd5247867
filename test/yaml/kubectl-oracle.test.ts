/**
 * kubectl is the oracle: every case is read by `kubectl label --local` (offline) and by
 * parseManifests; both must give the same objects, or both must refuse. The one allowed
 * difference: a document after a `...` end marker with no `---` is dropped by kubectl and
 * refused by us with a ManifestError naming the marker. Every disagreement is printed.
 * The generated corpus is reproducible: KUBEFLUENT_ORACLE_SEED=<n> picks another one.
 */
import { describe, expect, it } from 'vitest';
import { generatedCases } from './corpus.js';
import { compareWithKubectl, kubectlVerdicts, ourVerdict, report, type OracleCase } from './kubectl-oracle.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestError } from '../../src/ops/manifests.js';

const cm = (name: string, body: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${body}`;

/** Cases written by hand: the examples and the corners found while building the reader. */
const handWritten: OracleCase[] = [
  { id: 'h-octal', text: cm('h-octal', 'spec:\n  defaultMode: 0644\n  other: 0400\n  nine: 0609\n  neg: -0644\n') },
  { id: 'h-bools', text: cm('h-bools', 'x: [y, Y, yes, Yes, YES, n, N, no, NO, on, On, ON, off, OFF, oN, yES, True, tRUE]\n') },
  { id: 'h-bool-keys', text: cm('h-bool-keys', 'x:\n  y: 1\n  n: 2\n  on: 3\n  off: 4\n  "y": 5\n') },
  { id: 'h-escape-quote', text: cm('h-escape-quote', 'data:\n  msg: "it\\\'s"\n') },
  { id: 'h-escape-slash', text: cm('h-escape-slash', 'data:\n  msg: "a\\/b"\n') },
  { id: 'h-escapes', text: cm('h-escapes', 'data:\n  a: "\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\e\\0"\n  b: "c \\\n    d"\n  c: "p\n\n    q"\n') },
  { id: 'h-end-marker', text: `${cm('h-end-marker-0', '')}...\n${cm('h-end-marker-1', '')}`, endMarkerThenDocument: true },
  { id: 'h-end-marker-last', text: `${cm('h-end-marker-last-0', '')}...\n` },
  { id: 'h-end-marker-comment', text: `${cm('h-end-marker-comment-0', '')}...\n# only a comment\n` },
  { id: 'h-sep-text', text: `${cm('h-sep-text-0', '')}--- !tag\n${cm('h-sep-text-1', '')}` },
  { id: 'h-sep-comment', text: `${cm('h-sep-comment-0', '')}--- # two\n${cm('h-sep-comment-1', '')}` },
  { id: 'h-merge', text: cm('h-merge', 'base: &b {a: 1, b: 2}\nx:\n  a: 0\n  <<: *b\ny:\n  <<: *b\n  a: 0\nz:\n  <<: [{a: 9}, *b]\n') },
  { id: 'h-merge-scalar', text: cm('h-merge-scalar', 's: &s 1\nx:\n  <<: *s\n') },
  { id: 'h-self-alias', text: cm('h-self-alias', 'x: &a [*a]\n') },
  { id: 'h-unknown-alias', text: cm('h-unknown-alias', 'x: *nope\n') },
  { id: 'h-inf', text: cm('h-inf', 'x: .inf\n') },
  { id: 'h-nan', text: cm('h-nan', 'x: .nan\n') },
  { id: 'h-big', text: cm('h-big', 'x: [9223372036854775807, 9223372036854775808, 18446744073709551616, 1e400, 0x_1F, 1_000, 0b101, -0b11, 0o17]\n') },
  { id: 'h-float-keys', text: cm('h-float-keys', 'x: {1.5: a, 1e3: b, 0644: c, 123456789.0: d, 0.00001: e, 1e6: f, 123456: g, .inf: h, -.inf: i, .nan: j}\n') },
  { id: 'h-null-key', text: cm('h-null-key', 'x: {~: a}\n') },
  { id: 'h-seq-key', text: cm('h-seq-key', 'x: {? [a] : b}\n') },
  { id: 'h-big-key', text: cm('h-big-key', 'x: {18446744073709551615: a}\n') },
  { id: 'h-timestamps', text: cm('h-timestamps', 'x: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, 12:30:45]\n') },
  { id: 'h-tags', text: cm('h-tags', 'x: {a: !!str 0644, b: !!int "0x10", c: !!float "1", d: !!binary "aGk=", e: !foo 12, f: !!str yes}\n') },
  { id: 'h-bad-tag', text: cm('h-bad-tag', 'x: !!int abc\n') },
  { id: 'h-bad-binary', text: cm('h-bad-binary', 'x: !!binary "a"\n') },
  { id: 'h-dup', text: cm('h-dup', 'x:\n  k: 1\n  k: 2\n') },
  { id: 'h-crlf', text: cm('h-crlf', 'x: "a\n  b"\ny: |\n  l1\n  l2\n').replace(/\n/g, '\r\n') },
  { id: 'h-tab', text: cm('h-tab', 'x:\n\ty: 1\n') },
  { id: 'h-json', text: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "h-json"}, "x": 0644}' },
  { id: 'h-json-stream', text: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "h-json-stream-0"}}\n{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "h-json-stream-1"}}\n' },
  { id: 'h-json-then-yaml', text: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "h-jy-0"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: h-jy-1}\nx: 0644\n' },
  { id: 'h-json-bad-second', text: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "h-jb-0"}}\n{"a": }\n' },
  { id: 'h-list', text: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: h-list-0}\n' },
  { id: 'h-typed-list', text: 'apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: h-typed-list-0}\n  data: {a: "1"}\n' },
  { id: 'h-scalar-doc', text: 'just a string\n' },
  { id: 'h-empty', text: '' },
  { id: 'h-comments', text: `# c\n---\n# c\n${cm('h-comments-0', '')}# end\n---\n---\n` },
  { id: 'h-no-kind', text: 'apiVersion: v1\nmetadata: {name: h-no-kind}\n' },
];

describe('manifests read as kubectl reads them (kubectl as the oracle)', () => {
  it('agrees with kubectl on the hand-written corpus and on a generated one', { timeout: 120_000 }, async () => {
    const seed = Number(process.env.KUBEFLUENT_ORACLE_SEED ?? 20261129);
    const generated = generatedCases(seed, 600);
    const all = [...handWritten, ...generated];
    const started = performance.now();
    const r = await compareWithKubectl(all);
    const ms = Math.round(performance.now() - started);
    console.log(
      `kubectl oracle (seed ${seed}): ${all.length} files, ${r.agreedAccepted} read alike, ${r.agreedRefused} refused by both, ` +
        `${r.endMarker} with a document after "..." (kubectl drops it, we refuse naming the marker), ${r.disagreements.length} disagreements, ${ms} ms`,
    );
    if (r.disagreements.length) console.log(report(r.disagreements));
    expect(r.disagreements.map((d) => `${d.id}: ${d.what.split('\n')[0]}`)).toEqual([]);
    // The corpus must exercise both sides, not only one.
    expect(r.agreedAccepted).toBeGreaterThan(100);
    expect(r.agreedRefused).toBeGreaterThan(20);
    expect(r.endMarker).toBeGreaterThan(0);
  });

  // Pinned so that they stay known: kubectl reads these, we refuse them with a ManifestError
  // (never a different object). If either side changes, this test says so.
  it('the known differences: kubectl reads them, we refuse them with a ManifestError', async () => {
    const known: (OracleCase & { why: RegExp })[] = [
      // libyaml does not check the indentation of a quoted scalar's continuation lines; YAML (and the yaml package) does.
      { id: 'd-quoted-indent', text: cm('d-quoted-indent', "x: 'a\nb'\n"), why: /Missing closing 'quote|quote/ },
      // The yaml package composes recursively: about 500+ levels of nesting, where go-yaml allows 10,000.
      { id: 'd-deep', text: cm('d-deep', `x: ${'['.repeat(2000)}${']'.repeat(2000)}\n`), why: /nested too deeply/ },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'kf-known-'));
    const files = known.map((c) => {
      const path = join(dir, `${c.id}.yaml`);
      writeFileSync(path, c.text);
      return { id: c.id, path, text: c.text };
    });
    const verdicts = await kubectlVerdicts(files);
    for (const c of known) {
      expect(verdicts.get(c.id)?.objects, `kubectl reads ${c.id}`).toHaveLength(1);
      const ours = ourVerdict(c.text);
      expect(ours.error).toBeInstanceOf(ManifestError);
      expect((ours.error as Error).message).toMatch(c.why);
    }
  });
});
