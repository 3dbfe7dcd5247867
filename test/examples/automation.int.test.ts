// Integration: the automation examples (apply a directory with rollback, rollout, scale to zero,
// label/annotate, drain, Jobs, copy a Secret, clean up, dry run, diff, ApplySet prune) run
// against the local cluster; kubectl checks the state each leaves.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlJson, namespace, runExample, runOk } from './run-example.js';

let ns: string;
const dir = mkdtempSync(join(tmpdir(), 'examples-'));
beforeAll(async () => {
  ns = await namespace('ex-auto');
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const image = async (name: string) => (await kubectl(['-n', ns, 'get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim();

describe('automation examples', () => {
  it('apply-dir deploys a directory, and rolls a broken version back', async () => {
    const v1 = await runOk('apply-dir', ['--namespace', ns, '--dir', 'examples/manifests/shop-v1']);
    expect(v1).toContain('rolled out Deployment/shop');
    expect(await image('shop')).toBe('nginx:1.27');
    const v2 = await runExample('apply-dir', ['--namespace', ns, '--dir', 'examples/manifests/shop-v2-broken', '--timeout', '5']);
    expect(v2.code).toBe(1);
    expect(v2.stdout).toContain('rollout failed');
    expect(v2.stdout).toContain('rolled back Deployment/shop to its previous revision');
    expect(await image('shop')).toBe('nginx:1.27');
    await kubectl(['-n', ns, 'rollout', 'status', 'deployment/shop', '--timeout=60s']);
  });

  it('rollout sets an image, shows history, undoes and restarts, then deletes its Deployment', async () => {
    const out = await runOk('rollout', ['--namespace', ns]);
    expect(out).toContain('revision 1: nginx:1.26');
    expect(out).toContain('revision 2: nginx:1.27');
    expect(out).toContain('undo: now nginx:1.26');
    expect(out).toMatch(/restarted at \d{4}-\d\d-\d\dT/);
    expect(await kubectl(['-n', ns, 'get', 'deployment', 'rollout-demo', '--ignore-not-found', '-o', 'name'])).toBe('');
  });

  it('scale-to-zero sleeps a namespace inside the window and wakes it outside', async () => {
    const sleepy = await namespace('ex-sleep');
    try {
      await kubectl(['-n', sleepy, 'create', 'deployment', 'api', '--image=nginx', '--replicas=3']);
      await kubectl(['-n', sleepy, 'create', 'deployment', 'worker', '--image=nginx', '--replicas=1']);
      const night = await runOk('scale-to-zero', ['--namespace', sleepy, '--window', '22:00-06:00', '--now', '23:30']);
      expect(night).toContain('api: 3 → 0');
      expect(night).toContain('worker: 1 → 0');
      const replicas = async (d: string) => Number(await kubectl(['-n', sleepy, 'get', 'deployment', d, '-o', 'jsonpath={.spec.replicas}']));
      expect(await replicas('api')).toBe(0);
      expect(await runOk('scale-to-zero', ['--namespace', sleepy, '--window', '22:00-06:00', '--now', '05:59'])).toContain('api: unchanged (0)');
      const morning = await runOk('scale-to-zero', ['--namespace', sleepy, '--window', '22:00-06:00', '--now', '06:00']);
      expect(morning).toContain('api: 0 → 3');
      expect(await replicas('api')).toBe(3);
      expect(await replicas('worker')).toBe(1);
      expect(await kubectl(['-n', sleepy, 'get', 'deployment', 'api', '-o', 'jsonpath={.metadata.annotations}'])).not.toContain('replicas-before-sleep');
      const bad = await runExample('scale-to-zero', ['--namespace', sleepy, '--window', '25:00-06:00']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('"25:00" is not a time');
    } finally {
      await kubectl(['delete', 'namespace', sleepy, '--wait=false']);
    }
  });

  it('label-annotate labels, unlabels and annotates by selector', async () => {
    for (const n of ['la-1', 'la-2', 'la-other']) await kubectl(['-n', ns, 'create', 'configmap', n]);
    await kubectl(['-n', ns, 'label', 'configmap', 'la-1', 'la-2', 'app=web', 'old=x']);
    const out = await runOk('label-annotate', ['--namespace', ns, '--resource', 'v1/configmaps', '--selector', 'app=web', '--label', 'team=payments', '--label', 'old-', '--annotate', 'owner=ops@example.com']);
    expect(out).toContain('2 objects changed');
    const cm = await kubectlJson<{ metadata: { labels: Record<string, string>; annotations: Record<string, string> } }>(['-n', ns, 'get', 'configmap', 'la-2']);
    expect(cm.metadata.labels).toEqual({ app: 'web', team: 'payments' });
    expect(cm.metadata.annotations).toEqual({ owner: 'ops@example.com' });
    expect(await kubectl(['-n', ns, 'get', 'configmap', 'la-other', '-o', 'jsonpath={.metadata.labels}'])).toBe('');
  });

  it('drain-node cordons a node and evicts its pods; --uncordon undoes the cordon', async () => {
    await kubectl(['-n', ns, 'create', 'deployment', 'drainme', '--image=nginx', '--replicas=4']);
    await kubectl(['-n', ns, 'rollout', 'status', 'deployment/drainme', '--timeout=60s']);
    const pods = await kubectlJson<{ items: { metadata: { name: string }; spec: { nodeName: string } }[] }>(['-n', ns, 'get', 'pods', '-l', 'app=drainme']);
    const node = pods.items[0]!.spec.nodeName;
    const onNode = pods.items.filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name);
    try {
      const out = await runOk('drain-node', ['--node', node, '--pod-selector', 'app=drainme']);
      expect(out).toContain(`node ${node} cordoned`);
      for (const p of onNode) expect(out).toContain(`evicted ${ns}/${p}`);
      expect(out).toContain(`node ${node} drained`);
      expect(await kubectl(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
      await kubectl(['-n', ns, 'rollout', 'status', 'deployment/drainme', '--timeout=60s']);
      const after = await kubectlJson<{ items: { spec: { nodeName: string } }[] }>(['-n', ns, 'get', 'pods', '-l', 'app=drainme', '--field-selector=status.phase=Running']);
      expect(after.items.filter((p) => p.spec.nodeName === node)).toEqual([]);
    } finally {
      expect(await runOk('drain-node', ['--node', node, '--uncordon'])).toContain(`node ${node} uncordoned`);
    }
    expect(await kubectl(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('');
  });

  it('job-logs runs a Job to completion, prints its logs and deletes it', async () => {
    const out = await runOk('job-logs', ['--namespace', ns, '--', 'echo', 'hello']);
    const name = /job (task-\w+) created/.exec(out)?.[1];
    expect(name).toBeDefined();
    expect(out).toContain(`job ${name} succeeded (1 pod)`);
    expect(out).toContain('kubefluent testenv: simulated container log'); // what kwok serves as the container's log
    expect(out).toContain(`job ${name} deleted`);
    expect(await kubectl(['-n', ns, 'get', 'job', name!, '--ignore-not-found', '-o', 'name'])).toBe('');
  });

  it('copy-secret copies type and data to another namespace', async () => {
    const other = await namespace('ex-copy');
    try {
      await kubectl(['-n', ns, 'create', 'secret', 'docker-registry', 'pull', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p']);
      const out = await runOk('copy-secret', ['--from', `${ns}/pull`, '--to', other]);
      expect(out).toContain(`to ${other}/pull (1 keys, type kubernetes.io/dockerconfigjson)`);
      const [a, b] = await Promise.all([ns, other].map((n) => kubectlJson<{ type: string; data: Record<string, string>; metadata: { annotations?: Record<string, string> } }>(['-n', n, 'get', 'secret', 'pull'])));
      expect(b!.data).toEqual(a!.data);
      expect(b!.type).toBe(a!.type);
      expect(b!.metadata.annotations?.['examples.kubefluent.dev/copied-from']).toBe(`${ns}/pull`);
    } finally {
      await kubectl(['delete', 'namespace', other, '--wait=false']);
    }
  });

  it('cleanup-by-label dry-runs, then deletes only what the selector matches', async () => {
    await kubectl(['-n', ns, 'create', 'configmap', 'pr-cm']);
    await kubectl(['-n', ns, 'create', 'secret', 'generic', 'pr-secret', '--from-literal=k=v']);
    await kubectl(['-n', ns, 'create', 'service', 'clusterip', 'pr-svc', '--tcp=80:80']);
    await kubectl(['-n', ns, 'create', 'configmap', 'pr-keep']);
    await kubectl(['-n', ns, 'label', 'configmap/pr-cm', 'secret/pr-secret', 'service/pr-svc', 'run=preview-42']);
    const dry = await runOk('cleanup-by-label', ['--namespace', ns, '--selector', 'run=preview-42', '--dry-run']);
    expect(dry).toContain('3 objects would be deleted');
    expect(await kubectl(['-n', ns, 'get', 'configmap,secret,service', '-l', 'run=preview-42', '-o', 'name'])).not.toBe('');
    const out = await runOk('cleanup-by-label', ['--namespace', ns, '--selector', 'run=preview-42']);
    for (const o of ['ConfigMap/pr-cm', 'Secret/pr-secret', 'Service/pr-svc']) expect(out).toContain(`deleted ${o}`);
    expect(await kubectl(['-n', ns, 'get', 'configmap,secret,service', '-l', 'run=preview-42', '-o', 'name'])).toBe('');
    expect(await kubectl(['-n', ns, 'get', 'configmap', 'pr-keep', '-o', 'name'])).toContain('pr-keep');
    expect((await runExample('cleanup-by-label', ['--namespace', ns])).code).toBe(1);
  });

  it('dry-run approves a good manifest, lists the problems of a bad one, and changes nothing', async () => {
    const good = await runOk('dry-run', ['--namespace', ns, '-f', 'examples/manifests/shop-v1/deployment.yaml']);
    expect(good).toContain('ok Deployment/shop in');
    expect(good).toContain('2 objects would be applied; nothing was changed');
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: dry-bad }\ndata: { count: 1 }\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: dry-bad }\nspec: { replicas: two }\n');
    const bad = await runExample('dry-run', ['--namespace', ns, '-f', badFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/problem: document 0 .* data\.count/);
    expect(bad.stdout).toMatch(/problem: document 1 .* spec\.replicas/);
    expect(await kubectl(['-n', ns, 'get', 'configmap,deployment', 'dry-bad', '--ignore-not-found', '-o', 'name'])).toBe('');
  });

  it('diff shows what would change, and exits 0 when live matches', async () => {
    const file = join(dir, 'diff.yaml');
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: diffme }\ndata: { level: ${v} }\n`;
    writeFileSync(file, cm('info'));
    const fresh = await runExample('diff', ['--namespace', ns, '-f', file]);
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toContain('+ ConfigMap/diffme (new)');
    await kubectl(['-n', ns, 'apply', '--server-side', '--field-manager=example-diff', '-f', file]);
    const same = await runExample('diff', ['--namespace', ns, '-f', file]);
    expect(same.stdout).toContain('= ConfigMap/diffme');
    expect(same.code).toBe(0);
    writeFileSync(file, cm('debug'));
    const changed = await runExample('diff', ['--namespace', ns, '-f', file]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('data.level: "info" → "debug"');
    expect(await kubectl(['-n', ns, 'get', 'configmap', 'diffme', '-o', 'jsonpath={.data.level}'])).toBe('info');
  });

  it('prune-applyset keeps a namespace in step with a directory, and kubectl sees the same ApplySet', async () => {
    const d = join(dir, 'set');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(d);
    const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${n} }\ndata: { v: "1" }\n`;
    writeFileSync(join(d, 'a.yaml'), cm('set-a'));
    writeFileSync(join(d, 'b.yaml'), cm('set-b'));
    expect(await runOk('prune-applyset', ['--namespace', ns, '--applyset', 'shop', '--dir', d])).toContain('2 applied, 0 pruned');
    rmSync(join(d, 'b.yaml'));
    const out = await runOk('prune-applyset', ['--namespace', ns, '--applyset', 'shop', '--dir', d]);
    expect(out).toContain('pruned ConfigMap/set-b');
    expect(out).toContain('1 applied, 1 pruned');
    expect(await kubectl(['-n', ns, 'get', 'configmap', 'set-b', '--ignore-not-found', '-o', 'name'])).toBe('');
    const parent = await kubectlJson<{ metadata: { labels: Record<string, string>; annotations: Record<string, string> } }>(['-n', ns, 'get', 'secret', 'shop']);
    expect(parent.metadata.annotations['applyset.kubernetes.io/contains-group-kinds']).toBe('ConfigMap');
    expect(await kubectl(['-n', ns, 'get', 'configmap', 'set-a', '-o', 'jsonpath={.metadata.labels.applyset\\.kubernetes\\.io/part-of}'])).toBe(parent.metadata.labels['applyset.kubernetes.io/id']);
  });
});
