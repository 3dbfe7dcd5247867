/**
 * Generated code on the real local control plane: the test CRDs (test/crdgen/crds) installed,
 * `generate-crds --from-cluster` reproducing the committed output (test/crdgen/generated)
 * from what the API server serves, an unreachable cluster refused, and the generated types
 * used through `kube.customResource(...)` for create, get, list, watch and apply (and the
 * status and scale subresources the spec declares). The fixture's constructs are also
 * checked against kubectl's server-side dry run, one invalid value each.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../src/kube.js';
import { ValidationError } from '../../src/core/validation.js';
import { generateCrdsCommand } from '../../src/crdgen/cli.js';
import { adminKube, adminKubeconfig, kubectl, uid } from '../client/cluster.js';
import { Gadget } from './generated/example.kubefluent.dev/v1/gadget.js';
import { Widget, widgetSchemas, type WidgetSpec } from './generated/example.kubefluent.dev/v1/index.js';
import { REPO, scratch, type Scratch } from './helpers.js';

const run = promisify(execFile);
const GENERATED = join(REPO, 'test/crdgen/generated');

let kube: Kube;
let s: Scratch;
const ns = uid('crdgen-rt');

beforeAll(async () => {
  s = scratch('crdgen-rt-');
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(REPO, 'test/crdgen/crds')]);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/widgets.example.kubefluent.dev', 'crd/gadgets.example.kubefluent.dev']);
  kubectl(['create', 'namespace', ns]);
  kube = await adminKube({ fieldManager: 'crdgen-test' });
}, 120_000);

afterAll(async () => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
  kubectl(['delete', 'gadgets.example.kubefluent.dev', '--all', '--wait=false']);
  await kube?.close();
  s?.remove();
});

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out[relative(dir, join(d, e.name)).split(sep).join('/')] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir);
  return out;
}

const withoutSource = (text: string): string => text.split('\n').filter((l) => !l.startsWith('// Source: ')).join('\n');

describe('generate-crds --from-cluster', () => {
  it('reproduces, from the CRDs the API server serves, the code generated from the files', async () => {
    const out = join(s.dir, 'from-cluster');
    const lines: string[] = [];
    // Other files install CRDs of the same group (the operator example's WebApp) and leave them,
    // so whether it is there depends on file order: --crd names exactly the fixture's two.
    const code = await generateCrdsCommand([
      '--from-cluster', '--group', 'example.kubefluent.dev', '--crd', 'widgets.example.kubefluent.dev', '--crd', 'gadgets.example.kubefluent.dev',
      '--kubeconfig', adminKubeconfig(), '--out', out,
    ], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/^generated 3 versions of 2 CRDs: 6 files/);
    expect(code).toBe(0);
    const mine = files(out);
    const committed = files(GENERATED);
    expect(Object.keys(mine).sort()).toEqual(Object.keys(committed).sort());
    for (const name of Object.keys(committed)) expect(withoutSource(mine[name]!), name).toBe(withoutSource(committed[name]!));
    expect(mine['example.kubefluent.dev/v1/widget.ts']).toContain('// Source: cluster: widgets.example.kubefluent.dev (CustomResourceDefinition widgets.example.kubefluent.dev, version v1).');
  });

  it('says so when no CRD of the group is installed, and writes nothing', async () => {
    const err: string[] = [];
    const code = await generateCrdsCommand(['--from-cluster', '--group', 'no-such-group.example.com', '--kubeconfig', adminKubeconfig(), '--out', join(s.dir, 'none')], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('no CustomResourceDefinition of group no-such-group.example.com is installed');
    expect(readdirSync(s.dir)).not.toContain('none');
  });

  it('names a --crd that is not installed, and writes nothing', async () => {
    const err: string[] = [];
    const code = await generateCrdsCommand(['--from-cluster', '--crd', 'widgets.example.kubefluent.dev', '--crd', 'nosuch.example.kubefluent.dev', '--kubeconfig', adminKubeconfig(), '--out', join(s.dir, 'missing')], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('no CustomResourceDefinition named nosuch.example.kubefluent.dev is installed');
    expect(readdirSync(s.dir)).not.toContain('missing');
  });

  it('refuses an unreachable cluster with a clear error that shows no credentials', async () => {
    const kubeconfig = join(s.dir, 'unreachable.kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: gone',
      'clusters: [{ name: gone, cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true } }]',
      'users: [{ name: u, user: { token: "secret-token-crdgen" } }]',
      'contexts: [{ name: gone, context: { cluster: gone, user: u } }]', '',
    ].join('\n'));
    const err: string[] = [];
    const code = await generateCrdsCommand(['--from-cluster', '--kubeconfig', kubeconfig, '--out', join(s.dir, 'unreachable')], { out: () => undefined, err: (l) => err.push(l) });
    const text = err.join('\n');
    expect(code).toBe(1);
    expect(text).toContain('https://127.0.0.1:1');
    expect(text).toContain('(ClusterUnreachable; nothing was written to');
    expect(text).not.toContain('secret-token-crdgen');
    expect(readdirSync(s.dir)).not.toContain('unreachable');
  });
});

describe('kube.customResource(<generated spec>)', () => {
  it('creates, gets, lists, watches and applies with the generated types', { timeout: 60_000 }, async () => {
    const widgets = kube.customResource(Widget).namespace(ns);
    const seen: string[] = [];
    const stop = new AbortController();
    // From the list's resourceVersion: every change after it is seen, whenever the watch connects.
    const resourceVersion = (await widgets.list()).metadata?.resourceVersion;
    const watching = (async () => {
      try {
        for await (const e of widgets.watch({ signal: stop.signal, ...(resourceVersion ? { resourceVersion } : {}) })) {
          if (e.type === 'BOOKMARK') continue;
          // Typed: e.object is a Widget.
          seen.push(`${e.type} ${e.object.metadata?.name ?? ''} ${e.object.spec?.size ?? ''}`);
        }
      } catch (err) {
        if (!stop.signal.aborted) throw err;
      }
    })();
    watching.catch(() => undefined); // awaited below; a failure before then must not go unhandled
    try {
      // `mode` is required with a default: optional in the type, filled in by the server.
      const created = await widgets.create({ metadata: { name: 'w1' }, spec: { name: 'widget-one', size: 'small', tags: ['a'], ports: [{ name: 'http', number: 80 }] } });
      expect(created.spec?.mode).toBe('fast');
      const got = await widgets.get('w1');
      const spec: WidgetSpec | undefined = got.spec;
      expect(spec?.size).toBe('small');
      expect((await widgets.list()).items.map((w) => w.metadata?.name)).toEqual(['w1']);
      // The object was made by create (an Update): apply takes the fields over with force.
      const applied = await widgets.apply({ apiVersion: 'example.kubefluent.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { name: 'widget-one', size: 'large' } }, { force: true });
      expect(applied.spec?.size).toBe('large');
      // The subresources the CRD declares are on the handle.
      const status = await widgets.applyStatus({ apiVersion: 'example.kubefluent.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, status: { replicas: 2, conditions: [{ type: 'Ready', status: 'True' }] } });
      expect(status.status?.replicas).toBe(2);
      expect((await widgets.scale('w1', 4)).spec?.replicas).toBe(4);
      expect(widgetSchemas.strict.safeParse(await widgets.get('w1')).success).toBe(true);

      // The strict validator stops a bad write before the server sees it.
      const bad = widgets.create({ metadata: { name: 'w2' }, spec: { name: 'widget-two', size: 'medium' as 'small' } });
      await expect(bad).rejects.toBeInstanceOf(ValidationError);
      await expect(bad).rejects.toThrow(/spec\.size/);
      expect(await widgets.getOrUndefined('w2')).toBeUndefined();

      const deadline = Date.now() + 10_000;
      while (!seen.some((l) => l.startsWith('MODIFIED w1 large')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      stop.abort();
      await watching;
    }
    expect(seen[0]).toBe('ADDED w1 small');
    expect(seen).toContain('MODIFIED w1 large');

    // A cluster-scoped kind: no namespace step.
    const gadgets = kube.customResource(Gadget);
    await gadgets.create({ metadata: { name: `g-${ns}` }, spec: { color: 'red' } });
    expect((await gadgets.get(`g-${ns}`)).spec?.color).toBe('red');
    await gadgets.delete(`g-${ns}`);
  });
});

describe('the fixture’s constructs against the API server', () => {
  const base = () => ({
    apiVersion: 'example.kubefluent.dev/v1', kind: 'Widget', metadata: { name: 'probe' },
    spec: {
      name: 'widget-1', size: 'small', replicas: 3, ratio: 0.5, port: 8080, note: null, createdAt: '2026-01-02T03:04:05Z', blob: 'aGVsbG8=',
      labels: { a: 'b' }, extra: { anything: [1, 2] }, anything: 'free', template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } },
      tags: ['a', 'b'], ports: [{ name: 'http', number: 80 }], target: { host: 'example.com' }, mixed: 2, empty: {}, when: 'MON',
    } as Record<string, unknown>,
  });
  const cases: [string, (spec: Record<string, unknown>) => void][] = [
    ['valid', () => undefined],
    ['defaulted required field missing', (o) => { delete o.mode; }],
    ['optional field null', (o) => { o.replicas = null; }],
    ['required field missing', (o) => { delete o.size; }],
    ['unknown field', (o) => { o.colour = 'red'; }],
    ['pattern', (o) => { o.name = 'Bad_Name'; }],
    ['minLength', (o) => { o.name = 'a'; }],
    ['maxLength', (o) => { o.name = 'abcdefghijklm'; }],
    ['enum', (o) => { o.size = 'medium'; }],
    ['integer enum', (o) => { o.mixed = 4; }],
    ['not an integer', (o) => { o.replicas = 1.5; }],
    ['maximum', (o) => { o.replicas = 101; }],
    ['exclusiveMaximum', (o) => { o.ratio = 1; }],
    ['(?i) pattern', (o) => { o.when = 'wed'; }],
    ['int-or-string: string ok', (o) => { o.port = 'http'; }],
    ['int-or-string pattern', (o) => { o.port = 'HTTP'; }],
    ['int-or-string: boolean', (o) => { o.port = true; }],
    ['date-time', (o) => { o.createdAt = 'yesterday'; }],
    ['byte', (o) => { o.blob = 'not base64!'; }],
    ['ipv4', (o) => { o.target = { ip: '300.1.1.1' }; }],
    ['set duplicate', (o) => { o.tags = ['a', 'a']; }],
    ['maxItems', (o) => { o.tags = ['a', 'b', 'c', 'd']; }],
    ['map-list duplicate key', (o) => { o.ports = [{ name: 'a', number: 1 }, { name: 'a', number: 2 }]; }],
    ['oneOf: both', (o) => { o.target = { host: 'h', ip: '1.2.3.4' }; }],
    ['oneOf: neither', (o) => { o.target = {}; }],
    ['embedded without kind', (o) => { o.template = { apiVersion: 'v1', metadata: {} }; }],
    ['empty object with a field', (o) => { o.empty = { a: 1 }; }],
    ['CEL rule (server only)', (o) => { o.replicas = 50; }],
    ['metadata.name longer than the CRD allows', () => undefined],
  ];

  it('our strict validator and kubectl --dry-run=server --validate=strict agree on each (but the CEL rule)', { timeout: 120_000 }, async () => {
    const rows: string[] = [];
    const disagree: string[] = [];
    for (const [what, change] of cases) {
      const o = base();
      change(o.spec);
      o.metadata = { name: what.startsWith('metadata.name') ? 'probe-with-a-long-name' : 'probe', namespace: ns } as never;
      const ours = widgetSchemas.strict.safeParse(o).success;
      const file = join(s.dir, 'probe.json');
      writeFileSync(file, JSON.stringify(o));
      const server = await run('kubectl', ['--kubeconfig', adminKubeconfig(), 'apply', '--dry-run=server', '--validate=strict', '-f', file], { encoding: 'utf8' }).then(() => true, () => false);
      rows.push(`${what}: ours ${ours ? 'accepts' : 'rejects'}, server ${server ? 'accepts' : 'rejects'}`);
      if (ours !== server) disagree.push(what);
    }
    console.log(`[crdgen fixture agreement]\n${rows.join('\n')}`);
    expect(disagree).toEqual(['CEL rule (server only)']);
  });
});
