import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { compiledCheck, kindSchemaNames, QUANTITY_PATTERN, schemaByName, schemaFor, schemas } from '../../generated/schemas.js';
import { loadSpecs } from '../../scripts/generate/load.js';
import { normalizeSchemas } from '../../scripts/generate/normalize.js';
import { assertValid, formatPath, loadSchemas, validate, ValidationError } from '../../src/core/validation.js';
import { repoRoot } from '../scripts/fixtures.js';
import { kindSamples, typoOf, type KindSample } from './samples.js';

let samples: KindSample[];
beforeAll(async () => {
  await loadSchemas();
  samples = kindSamples(normalizeSchemas(loadSpecs(join(repoRoot, 'openapi')).schemas));
}, 30_000);

const pod = (container: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'app', image: 'nginx', ...container }], ...spec },
});

describe('every kind', () => {
  test('has a sample and a schema for its apiVersion/kind', () => {
    expect(samples.length).toBeGreaterThan(200);
    for (const s of samples) {
      const apiVersion = s.gvk.group === '' ? s.gvk.version : `${s.gvk.group}/${s.gvk.version}`;
      expect(kindSchemaNames[`${apiVersion}/${s.gvk.kind}`], s.name).toBe(s.name);
    }
  });

  test('strict schema accepts its minimal well-formed object, unchanged', () => {
    const failures: string[] = [];
    for (const s of samples) {
      const r = schemaByName(s.name, 'strict')!.safeParse(s.object);
      if (!r.success) failures.push(`${s.name}: ${r.error.issues.map((i) => `${formatPath(i.path)} ${i.message}`).join('; ')}`);
      else if (!isDeepStrictEqual(r.data, s.object)) failures.push(`${s.name}: output differs from input`);
    }
    expect(failures).toEqual([]);
  });

  test('strict schema rejects a misspelt field with its path and the right name; loose accepts it', () => {
    const failures: string[] = [];
    for (const s of samples) {
      const key = s.topKeys.includes('spec') ? 'spec' : s.topKeys.includes('metadata') ? 'metadata' : s.topKeys.filter((k) => k.length > 2)[0];
      if (key === undefined) continue;
      const typo = typoOf(key, s.topKeys);
      const bad = { ...s.object, [typo]: s.object[key] ?? {} };
      const r = validate(bad, { schema: schemaByName(s.name, 'strict')! });
      const issue = r.issues.find((i) => i.path === typo);
      if (!issue || !issue.message.includes(`did you mean "${key}"`)) failures.push(`${s.name}: ${JSON.stringify(r.issues)}`);
      if (!validate(bad, { schema: schemaByName(s.name, 'loose')! }).ok) failures.push(`${s.name}: loose rejected ${typo}`);
      // And one level down, in metadata.
      if (s.metadataKeys.includes('name')) {
        const nested = { ...s.object, metadata: { name: 'sample', nmae: 'x' } };
        const n = validate(nested, { schema: schemaByName(s.name, 'strict')! });
        if (!n.issues.some((i) => i.path === 'metadata.nmae')) failures.push(`${s.name}: metadata.nmae not reported`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('compiled checks (z.compile, used for repeated checks)', () => {
  test('agree with the ordinary parse for every kind: the sample, a misspelt field, a wrong type', () => {
    const disagreements: string[] = [];
    for (const s of samples) {
      for (const mode of ['strict', 'loose'] as const) {
        const schema = schemaByName(s.name, mode)!;
        const check = compiledCheck(schema);
        const key = s.topKeys[0] ?? 'metadata';
        const variants: [string, unknown][] = [
          ['sample', s.object],
          ['misspelt', { ...s.object, [typoOf(key, s.topKeys)]: {} }],
          ['wrong type', { ...s.object, metadata: 'not an object' }],
          ['not an object', 42],
        ];
        for (const [what, value] of variants) {
          if (check(value) !== schema.safeParse(value).success) disagreements.push(`${s.name} (${mode}): ${what}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  test('validate() switches to the compiled check after repeated use, with the same answers and messages', () => {
    const good = pod({ ports: [{ containerPort: 80 }] });
    const bad = pod({ imagee: 'x' });
    const before = validate(bad);
    for (let i = 0; i < 200; i++) {
      expect(validate(good).ok).toBe(true);
      expect(validate(bad)).toEqual(before);
    }
    expect(before.issues.map((i) => i.path)).toEqual(['spec.containers[0].imagee']);
  });
});

describe('Pod', () => {
  test('spec.containers[0].imagee fails strict validation at that path, with the fix', () => {
    const r = validate(pod({ imagee: 'nginx:1.27' }));
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([{ path: 'spec.containers[0].imagee', message: 'unknown field "imagee" — did you mean "image"?' }]);
    // The raw zod issue has the same path.
    const raw = schemaFor('v1', 'Pod', 'strict')!.safeParse(pod({ imagee: 'nginx:1.27' }));
    expect(raw.error?.issues.map((i) => formatPath([...i.path, ...('keys' in i ? i.keys : [])]))).toEqual(['spec.containers[0].imagee']);
  });

  test('loose mode lets the unknown field through, untouched', () => {
    const obj = pod({ imagee: 'nginx:1.27' });
    expect(validate(obj, { mode: 'loose' })).toEqual({ ok: true, issues: [], checked: true });
    expect(schemaFor('v1', 'Pod', 'loose')!.parse(obj)).toStrictEqual(obj);
  });

  test('contianers at spec level is caught (and the missing containers reported)', () => {
    const r = validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { contianers: [{ name: 'app' }] } });
    expect(r.issues.map((i) => i.path).sort()).toEqual(['spec.containers', 'spec.contianers']);
    expect(r.issues.find((i) => i.path === 'spec.contianers')?.message).toContain('did you mean "containers"?');
    expect(r.issues.find((i) => i.path === 'spec.containers')?.message).toContain('required field is missing');
  });

  test('null is accepted and kept for optional fields, rejected for required ones', () => {
    const obj = { ...pod({ command: null }), metadata: { name: 'web', creationTimestamp: null } };
    const r = schemaFor('v1', 'Pod', 'strict')!.safeParse(obj);
    expect(r.success).toBe(true);
    expect(r.data).toStrictEqual(obj);
    expect(validate(pod({ name: null })).issues.map((i) => i.path)).toEqual(['spec.containers[0].name']);
  });

  test('defaults are never applied: output equals input', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
    };
    expect(schemaFor('apps/v1', 'Deployment')!.parse(deployment)).toStrictEqual(deployment);
  });

  test('labels with dots and slashes get bracketed paths', () => {
    const r = validate({ ...pod({}), metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 1 } } });
    expect(r.issues.map((i) => i.path)).toEqual(['metadata.labels["app.kubernetes.io/name"]']);
  });

  test('assertValid throws a ValidationError naming every path and the fix', () => {
    const bad = pod({ imagee: 'x', ports: [{ containerPort: 'http' }] }, { contianers: [] });
    let err: unknown;
    try {
      assertValid(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.reason).toBe('Invalid');
    expect(v.issues.map((i) => i.path).sort()).toEqual(['spec.containers[0].imagee', 'spec.containers[0].ports[0].containerPort', 'spec.contianers']);
    expect(v.message).toMatch(/^Pod "web" is invalid \(3 problems\):/);
    for (const i of v.issues) expect(v.message).toContain(`${i.path}: ${i.message}`);
  });
});

describe('value formats', () => {
  const cpu = (value: unknown) => validate(pod({ resources: { limits: { cpu: value } } }));

  test.each(['1', '500m', '1.5', '.5', '+1', '2Ki', '128Mi', '1.5Gi', '1Ei', '100n', '10u', '1k', '1E', '1e3', '1E-2', 0.25, 2])('quantity %s is accepted', (q) => {
    expect(cpu(q).ok).toBe(true);
  });

  test.each(['', 'abc', '1GB', '1ki', '1.5 Gi', '--1', '1e', 'Mi', true])('quantity %s is rejected with a hint', (q) => {
    const r = cpu(q);
    expect(r.issues.map((i) => i.path)).toEqual(['spec.containers[0].resources.limits.cpu']);
    expect(QUANTITY_PATTERN.test(String(q))).toBe(false);
  });

  test('int-or-string: an integer or a string, nothing else', () => {
    const strategy = (maxSurge: unknown) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { selector: {}, template: {}, strategy: { rollingUpdate: { maxSurge } } },
    });
    expect(validate(strategy(1)).ok).toBe(true);
    expect(validate(strategy('25%')).ok).toBe(true);
    expect(validate(strategy(true)).issues).toEqual([{ path: 'spec.strategy.rollingUpdate.maxSurge', message: 'expected number or string' }]);
    expect(validate(strategy(1.5)).ok).toBe(false);
  });

  test('int32 fields reject values out of range', () => {
    expect(validate(pod({ ports: [{ containerPort: 2 ** 31 }] })).issues.map((i) => i.path)).toEqual(['spec.containers[0].ports[0].containerPort']);
  });

  test('Secret data must be base64; stringData is plain', () => {
    expect(validate({ apiVersion: 'v1', kind: 'Secret', data: { k: 'aGVsbG8=' }, stringData: { p: 'plain text!' } }).ok).toBe(true);
    expect(validate({ apiVersion: 'v1', kind: 'Secret', data: { k: 'plain text!' } }).issues[0]?.path).toBe('data.k');
  });

  test('free-form fields (RawExtension, FieldsV1) take any content in strict mode', () => {
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, data: { spec: { anything: [1] } } };
    expect(validate(revision).ok).toBe(true);
    const managed = { ...pod({}), metadata: { name: 'web', managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:containers': {} } } }] } };
    expect(validate(managed).ok).toBe(true);
  });
});

describe('lookup', () => {
  test('apiVersion/kind and definition names; unknown kinds', () => {
    expect(schemaFor('apps/v1', 'Deployment')).toBe(schemaByName('io.k8s.api.apps.v1.Deployment'));
    expect(schemaFor('autoscaling/v2', 'HorizontalPodAutoscaler', 'loose')).toBe(schemaByName('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', 'loose'));
    expect(schemaFor('example.com/v1', 'Widget')).toBeUndefined();
    expect(schemaByName('nope')).toBeUndefined();
    expect(schemaByName('toString')).toBeUndefined();
  });

  test('each mode is built once', () => {
    expect(schemas('strict')).toBe(schemas('strict'));
    expect(schemas('strict')).not.toBe(schemas('loose'));
  });

  test('custom resources are not checked; a misspelt built-in kind is reported', () => {
    expect(validate({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { anything: 1 } })).toEqual({ ok: true, issues: [], checked: false });
    expect(validate({ apiVersion: 'apps/v1', kind: 'Deploymnet' }).issues).toEqual([{ path: 'kind', message: 'unknown kind "Deploymnet" in apps/v1 — did you mean "Deployment"?' }]);
    expect(validate({ kind: 'Pod' }).issues[0]?.path).toBe('apiVersion');
    expect(validate('nope').ok).toBe(false);
  });

  test('generated code imports zod/mini as a namespace and one locale (no other locales in bundles)', () => {
    const src = readFileSync(join(repoRoot, 'generated/schemas.ts'), 'utf8');
    expect(src).toContain("import * as z from 'zod/mini';");
    expect(src).not.toMatch(/import \{[^}]*\bz\b[^}]*\} from 'zod/);
    expect(src).not.toMatch(/from 'zod'/);
    expect(src.match(/from 'zod\/locales'/g)).toHaveLength(1);
    expect(src).toContain("import { en } from 'zod/locales';");
  });
});
