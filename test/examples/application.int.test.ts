// Integration: the application examples (read config, watch and react, paged lists, typed
// errors, server-side apply, waits) run against the local cluster; assertions on their output
// and, through kubectl, on what they leave behind.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfig, kubectl, kubectlJson, namespace, runExample, runOk } from './run-example.js';

let ns: string;
beforeAll(async () => {
  ns = await namespace('ex-app');
});
afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

describe('application examples', () => {
  it('read-config prints the ConfigMap and the Secret key sizes, never the secret', async () => {
    await kubectl(['-n', ns, 'create', 'configmap', 'app', '--from-literal=LOG_LEVEL=debug', '--from-literal=PORT=8080']);
    await kubectl(['-n', ns, 'create', 'secret', 'generic', 'app', '--from-literal=TOKEN=s3cr3t-value']);
    const out = await runOk('read-config', ['--namespace', ns, '--configmap', 'app', '--secret', 'app']);
    expect(out.split('\n').filter(Boolean)).toEqual(['config LOG_LEVEL=debug', 'config PORT=8080', 'secret TOKEN: 12 bytes']);
    expect(out).not.toContain('s3cr3t');
    const missing = await runExample('read-config', ['--namespace', ns, '--configmap', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not found');
  });

  it('watch-configmaps reports the current state, then adds, changes and deletes', async () => {
    await kubectl(['-n', ns, 'create', 'configmap', 'w0', '--from-literal=a=1']);
    await kubectl(['-n', ns, 'label', 'configmap', 'w0', 'app=web']);
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/watch-configmaps.ts', '--kubeconfig', kubeconfig, '--namespace', ns, '--count', '3', '--timeout', '60']);
    let out = '';
    const started = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('watching')) resolve();
    }));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    await started;
    await kubectl(['-n', ns, 'create', 'configmap', 'w1', '--from-literal=b=2']);
    await kubectl(['-n', ns, 'label', 'configmap', 'w1', 'app=web']); // ADDED to the selection (a MODIFIED event, as the label appears)
    await kubectl(['-n', ns, 'patch', 'configmap', 'w0', '-p', '{"data":{"a":"9"}}']);
    await kubectl(['-n', ns, 'delete', 'configmap', 'w0']);
    expect(await exited).toBe(0);
    expect(out).toContain('existing w0 {"a":"1"}');
    expect(out).toMatch(/(ADDED|MODIFIED) w1/);
    expect(out).toContain('MODIFIED w0 changed: a=9');
    expect(out).toContain('DELETED w0');
    expect(out).toContain('done');
  });

  it('list-pages follows the continue token page by page', async () => {
    for (let i = 0; i < 7; i++) {
      await kubectl(['-n', ns, 'create', 'configmap', `page-${i}`]);
      await kubectl(['-n', ns, 'label', 'configmap', `page-${i}`, 'tier=cache']);
    }
    const out = await runOk('list-pages', ['--namespace', ns, '--selector', 'tier=cache', '--limit', '3']);
    expect(out).toMatch(/^page 1: page-0, page-1, page-2$/m);
    expect(out).toMatch(/^page 3: page-6$/m);
    expect(out).toContain('7 configmaps in 3 pages');
  });

  it('typed-errors meets each error as its class and cleans up', async () => {
    const out = await runOk('typed-errors', ['--namespace', ns]);
    expect(out).toContain('NotFoundError 404: NotFound');
    expect(out).toContain('AlreadyExistsError 409: AlreadyExists');
    expect(out).toContain('ConflictError fields: .data.mode');
    expect(out).toContain('InvalidError causes: data[not a valid key!]');
    expect(await kubectl(['-n', ns, 'get', 'configmap', 'typed-errors-demo', '--ignore-not-found', '-o', 'name'])).toBe('');
  });

  it('apply-app applies idempotently under its field manager and leaves what --keep keeps', async () => {
    const out = await runOk('apply-app', ['--namespace', ns, '--image', 'nginx:1.27', '--replicas', '3', '--keep']);
    expect(out).toContain('applied again: generation 1 (unchanged)');
    expect(out).toContain('field manager example-apply-app owns its fields');
    const dep = await kubectlJson<{ spec: { replicas: number; template: { spec: { containers: { image: string }[] } } }; metadata: { managedFields: { manager: string }[] } }>(['-n', ns, 'get', 'deployment', 'web', '--show-managed-fields']);
    expect(dep.spec.replicas).toBe(3);
    expect(dep.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    expect(dep.metadata.managedFields.map((m) => m.manager)).toContain('example-apply-app');
    const svc = await kubectlJson<{ spec: { clusterIP: string } }>(['-n', ns, 'get', 'service', 'web']);
    expect(out).toContain(`applied service web ${svc.spec.clusterIP}:80`);
    // Without --keep it cleans up after itself.
    await runOk('apply-app', ['--namespace', ns]);
    expect(await kubectl(['-n', ns, 'get', 'deployment,service', '--ignore-not-found', '-o', 'name'])).toBe('');
  });

  it('wait-for waits for Available, Ready and deleted', async () => {
    const out = await runOk('wait-for', ['--namespace', ns]);
    expect(out).toMatch(/deployment available after \d+ ms/);
    expect(out).toContain('2 pods ready');
    expect(out).toContain('deployment deleted');
    expect(await kubectl(['-n', ns, 'get', 'deployment', 'wait-demo', '--ignore-not-found', '-o', 'name'])).toBe('');
  });
});
