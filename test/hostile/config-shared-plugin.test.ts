// Issue 12 item 7: concurrent requests share one exec-plugin run, and one caller's short
// timeout never kills a run another caller still waits for. The plugin is a real, slow
// shell script that records each start and its pid; requests go through the real transport
// to a loopback server that records the Authorization each one carried.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { ExecCredentials } from '../../src/config/exec-credential.js';
import { AbortedError, AuthPluginError, RequestTimeoutError } from '../../src/core/errors.js';
import { Transport } from '../../src/transport/transport.js';
import { json, makePki, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer;

beforeAll(async () => {
  const pki = makePki();
  server = await startServer((_req, res) => json(res, 200, { kind: 'APIVersions', versions: ['v1'] }), { key: pki.serverKey, cert: pki.serverCert });
});

afterAll(async () => {
  await server.close();
});

/** A plugin that sleeps `seconds`, then prints a token; each run appends its pid to `runs`. */
function slowPlugin(seconds: number): { command: string; runs: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kf-slow-'));
  const runs = join(dir, 'runs');
  const command = join(dir, 'plugin.sh');
  // sleep runs as the plugin's child, like the `aws` a wrapper script starts.
  writeFileSync(command, `#!/bin/sh
echo $$ >> "${runs}"
sleep ${seconds} &
echo $! >> "${runs}.children"
wait
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"shared-token-'$$'"}}'
`);
  chmodSync(command, 0o755);
  return { command, runs, dir };
}

function pids(runs: string): number[] {
  return existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function provider(command: string, timeoutMs?: number): ExecCredentials {
  return new ExecCredentials({ apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'Never' }, timeoutMs !== undefined ? { timeoutMs } : {});
}

describe('hostile: one caller\'s timeout never fails another caller (issue 12 item 7)', () => {
  it('a 300 ms request and a 10 s request share one run; the short one times out, the long one gets the token', async () => {
    const { command, runs } = slowPlugin(1.5);
    const creds = provider(command);
    const pki = makePki();
    const t = new Transport(new ClusterConfig({ server: server.url, tls: { ca: pki.caCert }, credentials: creds }), { retry: false });
    const before = server.requests.length;
    const started = Date.now();
    const [short, long] = await Promise.allSettled([
      t.request({ method: 'GET', path: '/api', timeoutMs: 300 }),
      t.request({ method: 'GET', path: '/api', timeoutMs: 10_000 }),
    ]);
    await t.close();
    expect(short.status).toBe('rejected');
    expect((short as PromiseRejectedResult).reason).toBeInstanceOf(RequestTimeoutError);
    expect(long.status, String((long as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const ran = pids(runs);
    expect(ran).toHaveLength(1);
    expect(creds.invocations).toBe(1);
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe(`Bearer shared-token-${ran[0]}`);
  });

  it('many callers, all but one leaving early: still one run, and the one that stays gets the token', async () => {
    const { command, runs } = slowPlugin(1);
    const creds = provider(command);
    const leavers = Array.from({ length: 8 }, (_, i) => creds.get(AbortSignal.timeout(50 + i * 50)));
    const stayer = creds.get(AbortSignal.timeout(10_000));
    const results = await Promise.allSettled(leavers);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AbortedError);
    const got = await stayer;
    expect(got.authorization).toMatch(/^Bearer shared-token-\d+$/);
    expect(pids(runs)).toHaveLength(1);
  });

  it('when every caller has gone the plugin is killed, and the next caller starts a fresh run', async () => {
    const { command, runs } = slowPlugin(30);
    const creds = provider(command);
    const a = creds.get(AbortSignal.timeout(200));
    const b = creds.get(AbortSignal.timeout(400));
    await expect(a).rejects.toBeInstanceOf(AbortedError);
    await new Promise((r) => setTimeout(r, 100));
    const [first] = pids(runs);
    expect(first).toBeDefined();
    expect(alive(first as number), 'the run lives while b still waits').toBe(true);
    await expect(b).rejects.toBeInstanceOf(AbortedError);
    const deadline = Date.now() + 2000;
    while (alive(first as number) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alive(first as number), 'killed once nobody waits').toBe(false);
    const [grandchild] = pids(`${runs}.children`);
    while (alive(grandchild as number) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alive(grandchild as number), 'what the plugin started is killed with it').toBe(false);
    await expect(creds.get(AbortSignal.timeout(200))).rejects.toBeInstanceOf(AbortedError);
    expect(pids(runs)).toHaveLength(2);
  });

  it('the run\'s own timeout fails every waiter, with an AuthPluginError', async () => {
    const { command, runs } = slowPlugin(30);
    const creds = provider(command, 300);
    const all = await Promise.allSettled([creds.get(), creds.get(AbortSignal.timeout(10_000)), creds.get()]);
    for (const r of all) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AuthPluginError);
      expect(((r as PromiseRejectedResult).reason as Error).message).toContain('did not finish within 300 ms');
    }
    expect(pids(runs)).toHaveLength(1);
  });
});
