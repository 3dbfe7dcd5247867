/**
 * The YAML reader meets untrusted text: whatever the input, parseManifests returns objects or
 * throws a ManifestError, and parseKubeconfig a Kubeconfig or a ConfigError — never a raw
 * RangeError, ReferenceError or a hang. Alias bombs, deep nesting and large inputs are bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKubeconfig } from '../../src/config/kubeconfig.js';
import { ConfigError } from '../../src/core/errors.js';
import { readYamlDocument, readYamlStream, YamlError } from '../../src/core/yaml.js';
import { formatFloat32, resolveScalar } from '../../src/core/yaml-scalars.js';
import { ManifestError, parseManifests } from '../../src/ops/manifests.js';

function outcome(text: string): 'objects' | 'ManifestError' {
  try {
    const docs = parseManifests(text);
    for (const d of docs) expect(typeof d.object).toBe('object');
    return 'objects';
  } catch (err) {
    if (err instanceof ManifestError) {
      expect(err.reason).toBe('InvalidManifest');
      expect(err.problems.length).toBeGreaterThan(0);
      return 'ManifestError';
    }
    throw err;
  }
}

const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom('---', '...', '- ', ': ', '? ', '&a ', '*a', '<<: ', '!!int ', '!!binary ', '!x ', '"', "'", '\\', '\\x', '|', '>-', '#', '{', '}', '[', ']', ',', '%YAML 1.1', '\t', '\r\n', '\n', '  ', '0644', 'yes', '.inf', '~', '\u2028', '\ufeff', '0x', 'kind', 'apiVersion', 'items'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('manifest parsing never throws anything but a ManifestError', () => {
  it('on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => void outcome(s)), { numRuns: 400 });
  });

  it('on YAML-like token soup', () => {
    fc.assert(fc.property(yamlish, (s) => void outcome(s)), { numRuns: 1500 });
  });

  it('on arbitrary JSON values given as text', () => {
    fc.assert(fc.property(fc.json(), (s) => void outcome(s)), { numRuns: 300 });
  });
});

function billionLaughs(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n${lines.join('\n')}\n`;
}

describe('resource limits surface as typed errors', () => {
  it('an alias bomb is a ManifestError naming the document and line, found quickly', () => {
    const started = performance.now();
    const err = (() => {
      try {
        parseManifests(billionLaughs(10, 10));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).message).toMatch(/document 0 \(YAML\) line \d+: document contains excessive aliasing/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('merge keys cannot be used for an alias bomb either', () => {
    const lines = ['m0: &m0 {a: 1, b: 2, c: 3}'];
    for (let i = 1; i < 12; i++) lines.push(`m${i}: &m${i}\n  x: [${Array(8).fill(`*m${i - 1}`).join(', ')}]\n  <<: *m${i - 1}`);
    expect(() => parseManifests(`kind: X\n${lines.join('\n')}\n`)).toThrow(ManifestError);
  });

  it('a few aliases are fine (kubectl allows 99% aliasing below 400,000 nodes)', () => {
    const docs = parseManifests(billionLaughs(3, 5));
    expect(((docs[0]!.object as Record<string, unknown>).l2 as unknown[][]).flat().length).toBe(25);
  });

  it('an alias that contains itself is refused', () => {
    expect(() => parseManifests('kind: X\na: &a [1, *a]\n')).toThrow(/anchor 'a' value contains itself/);
  });

  it('deep nesting is a ManifestError, not a stack overflow', () => {
    for (const depth of [5_000, 20_000]) {
      expect(() => parseManifests(`kind: X\na: ${'['.repeat(depth)}${']'.repeat(depth)}\n`)).toThrow(ManifestError);
      expect(() => parseManifests(`kind: X\na: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`)).toThrow(ManifestError);
    }
    let block = 'kind: X\na:\n';
    for (let i = 1; i < 3_000; i++) block += `${' '.repeat(i)}- \n`;
    expect(() => parseManifests(block)).toThrow(/nested too deeply/);
  });

  it('nesting real manifests use (hundreds of levels) is read', () => {
    const docs = parseManifests(`kind: X\na: ${'['.repeat(300)}${']'.repeat(300)}\n`);
    expect(docs).toHaveLength(1);
  });

  it('a large input (1 MB, 5,000 documents) is read', () => {
    const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  k: "v"\n  mode: 0644\n' + `  big: "${'x'.repeat(100)}"\n`;
    const text = Array(5_000).fill(doc).join('---\n');
    const docs = parseManifests(text);
    expect(docs).toHaveLength(5_000);
    expect((docs[4_999]!.object as { data: { mode: number } }).data.mode).toBe(420);
  });

  it('in a kubeconfig, an alias bomb or a bad escape is a ConfigError naming document and line, without the values', () => {
    const bomb = `apiVersion: v1\nkind: Config\n${billionLaughs(10, 10).split('\n').slice(3).join('\n')}`;
    expect(() => parseKubeconfig(bomb)).toThrow(ConfigError);
    expect(() => parseKubeconfig(bomb)).toThrow(/document 0, line \d+: document contains excessive aliasing/);
    const secret = 'users:\n- name: u\n  user:\n    token: !!int s3cr3t-t0ken\n';
    const err = (() => {
      try {
        parseKubeconfig(secret);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/line 4/);
    expect(err!.message).not.toContain('s3cr3t');
  });
});

describe('kubeconfig parsing never throws anything but a ConfigError', () => {
  it('on YAML-like token soup and arbitrary text', () => {
    const check = (s: string) => {
      try {
        parseKubeconfig(s);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
      }
    };
    fc.assert(fc.property(yamlish, check), { numRuns: 800 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), check), { numRuns: 300 });
  });
});

describe('kubeconfig read as kubectl reads it', () => {
  it('a context named y is the boolean true to kubectl, which refuses the file: so do we', () => {
    const cfg = 'clusters: [{name: c, cluster: {server: "https://h"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: y, context: {cluster: c, user: u}}]\n';
    expect(() => parseKubeconfig(cfg)).toThrow(/contexts\[0\]\.name: expected a string, got a boolean/);
    expect(parseKubeconfig(cfg.replace('name: y', 'name: "y"')).contexts?.[0]?.name).toBe('y');
  });

  it('\\\' in a double-quoted value is accepted, and a second document is refused rather than ignored', () => {
    expect(parseKubeconfig('current-context: "it\\\'s"\n')['current-context']).toBe("it's");
    expect(() => parseKubeconfig('current-context: a\n---\ncurrent-context: b\n')).toThrow(/document 1, line 3: a second document/);
  });
});

describe('scalars as go-yaml v2 resolves them', () => {
  it('formats float keys as Go\'s FormatFloat(v, \'g\', -1, 32)', () => {
    // Outputs of Go's strconv.FormatFloat for these inputs.
    const go: [number, string][] = [[1e6, '1e+06'], [123456, '123456'], [0.0001, '0.0001'], [0.00001, '1e-05'], [123456789, '1.2345679e+08'], [1.5, '1.5'], [0.1, '0.1'], [3.4e39, '.inf'], [1e21, '1e+21'], [16777217, '1.6777216e+07']];
    for (const [v, s] of go) expect(formatFloat32(v)).toBe(s);
  });

  it('resolves numbers, booleans and nulls like go-yaml v2', () => {
    const r = (s: string) => resolveScalar(s, '', true);
    expect(r('0644')).toEqual({ kind: 'int', value: 420n });
    expect(r('0x1F')).toEqual({ kind: 'int', value: 31n });
    expect(r('0b101')).toEqual({ kind: 'int', value: 5n });
    expect(r('1_000')).toEqual({ kind: 'int', value: 1000n });
    expect(r('09')).toEqual({ kind: 'float', value: 9 });
    expect(r('1e400')).toEqual({ kind: 'str', value: '1e400' });
    expect(r('oN')).toEqual({ kind: 'str', value: 'oN' });
    expect(r('Off')).toEqual({ kind: 'bool', value: false });
    expect(r('NULL')).toEqual({ kind: 'null' });
    expect(r('2001-12-14')).toEqual({ kind: 'str', value: '2001-12-14' });
    expect(resolveScalar('0644', '', false)).toEqual({ kind: 'str', value: '0644' });
  });

  it('reports the document index and line of each problem', () => {
    const { problems } = readYamlStream('a: 1\n---\nb: .inf\n---\nc: "\\q"\n');
    expect(problems.map((p) => [p.index, p.line])).toEqual([[1, 3], [2, 5]]);
    expect(() => readYamlDocument('a: *x\n')).toThrow(YamlError);
  });
});
