/**
 * kubectl as the oracle over real manifests: every YAML file in the k8s.io/kubernetes module
 * must give the same objects from kubectl (`label --local`, offline) and from parseManifests,
 * or be refused by both. No file is left out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareWithKubectl, report, type OracleCase } from './kubectl-oracle.js';
import { kubernetesYamlFiles } from './kubernetes-manifests.js';

describe('the YAML files of the k8s.io/kubernetes module', () => {
  it('are read as kubectl reads them, every one', { timeout: 300_000 }, async () => {
    const files = kubernetesYamlFiles();
    const cases: OracleCase[] = files.map((f, i) => {
      const text = readFileSync(f.path, 'utf8');
      // A document after "..." without "---": kubectl drops it, we refuse naming the marker.
      return { id: `k${i}`, text, ...(/^\.\.\.[ \t]*\r?\n(?![ \t]*(#.*)?(\r?\n|$))/m.test(text) ? { endMarkerThenDocument: true } : {}) };
    });
    const started = performance.now();
    const r = await compareWithKubectl(cases);
    const ms = Math.round(performance.now() - started);
    const names = new Map(cases.map((c, i) => [c.id, files[i]!.rel]));
    console.log(
      `k8s.io/kubernetes YAML files: ${files.length}; ${r.agreedAccepted} read alike by kubectl and us, ${r.agreedRefused} refused by both, ` +
        `${r.endMarker} with a document after "...", ${r.disagreements.length} disagreements (${ms} ms)`,
    );
    if (r.disagreements.length) console.log(report(r.disagreements.map((d) => ({ ...d, id: `${d.id} ${names.get(d.id)}`, text: d.text.slice(0, 2000) }))));
    expect(r.disagreements.map((d) => `${names.get(d.id)}: ${d.what.split('\n')[0]!.slice(0, 300)}`)).toEqual([]);
    expect(files.length).toBeGreaterThan(500);
    expect(r.agreedAccepted).toBeGreaterThan(300);
  });
});
