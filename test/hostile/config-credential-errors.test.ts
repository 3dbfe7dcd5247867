// Issue 12 item 4: a credential that cannot be obtained is a credential error, never a
// network error. Fake plugins are small shell scripts in a temp dir; the "cluster" is a
// loopback server that records whether any request arrived (none may: there was nothing to send).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { TokenFileCredentials } from '../../src/config/credentials.js';
import { loadClusterConfig } from '../../src/config/load.js';
import { AuthPluginError, ConfigError, NetworkError } from '../../src/core/errors.js';
import { Transport } from '../../src/transport/transport.js';
import { json, makePki, startServer, type TestServer } from '../transport/helpers.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kf-cred-'));
  const pki = makePki();
  server = await startServer((_req, res) => json(res, 200, { kind: 'APIVersions', versions: ['v1'] }), { key: pki.serverKey, cert: pki.serverCert });
});

afterAll(async () => {
  await server.close();
});

function kubeconfigWith(user: string): string {
  const pki = makePki();
  const p = join(dir, `kc-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, `current-context: x
clusters: [{ name: c, cluster: { server: "${server.url}", certificate-authority-data: ${b64(pki.caCert)} } }]
users: [{ name: u, user: { ${user} } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
`);
  return p;
}

async function request(file: string): Promise<unknown> {
  const before = server.requests.length;
  const cfg = await loadClusterConfig({ kubeconfig: file, exec: { stdinIsTerminal: false } });
  const t = new Transport(cfg, { retry: false });
  try {
    await t.request({ method: 'GET', path: '/api' });
    return 'resolved';
  } catch (e) {
    expect(server.requests.length, 'no request may reach the server without its credential').toBe(before);
    return e;
  } finally {
    await t.close();
  }
}

describe('hostile: credential failures are credential errors (issue 12 item 4)', () => {
  it('a missing exec plugin (`aws` not installed) is an AuthPluginError carrying the install hint', async () => {
    const hint = 'aws is required to authenticate to EKS. Install it: https://aws.amazon.com/cli/';
    const f = kubeconfigWith(`exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: kubefluent-test-no-such-aws, args: [eks, get-token], installHint: "${hint}" }`);
    const err = await request(f);
    expect(err).toBeInstanceOf(AuthPluginError);
    expect(err).not.toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ reason: 'ExecPluginFailed' });
    expect((err as Error).message).toContain('command not found');
    expect((err as Error).message).toContain(hint);
    expect((err as Error).message).not.toMatch(/cannot reach|ENOENT/);
  });

  it('an exec plugin that exits non-zero is an AuthPluginError', async () => {
    const plugin = join(dir, 'fails.sh');
    writeFileSync(plugin, '#!/bin/sh\necho "error: SSO session expired, run aws sso login" >&2\nexit 255\n');
    chmodSync(plugin, 0o755);
    const err = await request(kubeconfigWith(`exec: { apiVersion: client.authentication.k8s.io/v1, command: "${plugin}", interactiveMode: Never }`));
    expect(err).toBeInstanceOf(AuthPluginError);
    expect((err as Error).message).toMatch(/exited with code 255: error: SSO session expired, run aws sso login/);
  });

  it('a plugin that is not executable is an AuthPluginError that says so', async () => {
    const plugin = join(dir, 'not-exec.sh');
    writeFileSync(plugin, '#!/bin/sh\n');
    chmodSync(plugin, 0o644);
    const err = await request(kubeconfigWith(`exec: { apiVersion: client.authentication.k8s.io/v1, command: "${plugin}", interactiveMode: Never }`));
    expect(err).toBeInstanceOf(AuthPluginError);
    expect((err as Error).message).toContain('not executable');
  });

  it('a missing tokenFile is a ConfigError at load, naming the field', async () => {
    const f = kubeconfigWith(`tokenFile: ${join(dir, 'no-such-token')}`);
    const err = await loadClusterConfig({ kubeconfig: f }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ reason: 'FileUnreadable', field: 'users[u].tokenFile', file: f });
  });

  it('a token file that is gone by the first request is a ConfigError from the request, never a NetworkError', async () => {
    const pki = makePki();
    const tokenPath = join(dir, 'vanishing-token');
    writeFileSync(tokenPath, 'tok');
    rmSync(tokenPath);
    const cfg = new ClusterConfig({ server: server.url, tls: { ca: pki.caCert }, credentials: new TokenFileCredentials(tokenPath) });
    const t = new Transport(cfg, { retry: false });
    const before = server.requests.length;
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    await t.close();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).not.toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ reason: 'FileUnreadable', field: 'tokenFile' });
    expect(server.requests.length).toBe(before);
  });

  it('an exec plugin failing inside a retried request is still not retried as a network error', async () => {
    const plugin = join(dir, 'count.sh');
    const calls = join(dir, 'count.calls');
    writeFileSync(plugin, `#!/bin/sh\necho x >> "${calls}"\nexit 1\n`);
    chmodSync(plugin, 0o755);
    const f = kubeconfigWith(`exec: { apiVersion: client.authentication.k8s.io/v1, command: "${plugin}", interactiveMode: Never }`);
    const cfg = await loadClusterConfig({ kubeconfig: f });
    const t = new Transport(cfg, { retry: { limit: 3 } });
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    await t.close();
    expect(err).toBeInstanceOf(AuthPluginError);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
