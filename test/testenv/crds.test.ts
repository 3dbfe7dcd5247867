// Unit: reading CRD manifests for startTestEnv({ crdDirs }) — directories or files, YAML
// (several documents) and JSON; anything that is not a CRD is an error naming file and document.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCRDs, TestEnvError } from '../../testenv/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kubefluent-crds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const crd = (plural: string, group = 'example.com') => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: { group, scope: 'Namespaced', names: { plural, kind: plural[0]!.toUpperCase() + plural.slice(1, -1), singular: plural.slice(0, -1) }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
});

function write(sub: string, files: Record<string, string>): string {
  const d = join(dir, sub);
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const error = (fn: () => unknown): TestEnvError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TestEnvError);
    return e as TestEnvError;
  }
  throw new Error('expected a TestEnvError');
};

describe('readCRDs', () => {
  it('reads YAML (several documents per file) and JSON, files in name order, skipping other extensions', () => {
    const d = write('ok', {
      'b.yaml': `${JSON.stringify(crd('widgets'))}\n---\n${JSON.stringify(crd('gadgets'))}\n---\n`,
      'a.json': JSON.stringify(crd('crontabs')),
      'README.md': '# not a manifest',
    });
    expect(readCRDs([d]).map((c) => c.metadata.name)).toEqual(['crontabs.example.com', 'widgets.example.com', 'gadgets.example.com']);
    expect(readCRDs([join(d, 'a.json')]).map((c) => c.spec.names.plural)).toEqual(['crontabs']);
  });

  it('refuses what is not a CRD, naming the file and document', () => {
    const d = write('mixed', { 'x.yaml': `${JSON.stringify(crd('widgets'))}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n` });
    const e = error(() => readCRDs([d]));
    expect(e.reason).toBe('config');
    expect(e.message).toContain(`${join(d, 'x.yaml')} (document 2) is apps/v1 Deployment, not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
  });

  it('refuses a missing path, an empty directory, bad YAML and a CRD defined twice', () => {
    expect(error(() => readCRDs([join(dir, 'nope')])).message).toContain('does not exist');
    expect(error(() => readCRDs([write('empty', {})])).message).toContain('holds no .yaml, .yml or .json files');
    expect(error(() => readCRDs([write('bad', { 'x.yml': 'kind: [unclosed' })])).message).toMatch(/x\.yml \(document 1\) is not valid YAML/);
    const twice = write('twice', { 'a.yaml': JSON.stringify(crd('widgets')), 'b.yaml': JSON.stringify(crd('widgets')) });
    expect(error(() => readCRDs([twice])).message).toContain('CRD widgets.example.com is defined twice');
  });
});
