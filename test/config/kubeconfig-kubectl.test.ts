// Issue 13 item 3: a kubeconfig means the same to us as to kubectl. Each case writes one
// kubeconfig, points it at a loopback server that records what arrives, and runs
// `/usr/bin/kubectl --kubeconfig F get --raw /api` and our client against the SAME file; both
// must have sent the same credentials (usually: none, for an http:// server) or both must
// refuse the file. The deliberate differences are asserted as such (and listed in the README).
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { Transport } from '../../src/transport/transport.js';
import { json, makePki, type Recorded, startServer, type TestServer } from '../transport/helpers.js';

const KUBECTL = '/usr/bin/kubectl';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const junk = b64('not a certificate');

// Headers that carry identity: what the two clients must agree on.
const IDENTITY = /^(authorization|impersonate-.*)$/;

interface Seen {
  readonly ok: boolean;
  /** Identity headers of the request for /api, or undefined when none arrived. */
  readonly identity: Record<string, string> | undefined;
  readonly error: string;
}

let http: TestServer;
let https: TestServer;
let dir: string;

function identityOf(r: Recorded | undefined): Record<string, string> | undefined {
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (IDENTITY.test(k)) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

function lastApi(server: TestServer, from: number): Recorded | undefined {
  return server.requests.slice(from).find((r) => r.url.split('?')[0] === '/api');
}

async function kubectl(file: string, server: TestServer): Promise<Seen> {
  const from = server.requests.length;
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', file, 'get', '--raw', '/api', '--request-timeout=5s'], { env: { PATH: process.env.PATH ?? '', HOME: dir } }, (err, _out, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
  return { ok: code === 0, identity: identityOf(lastApi(server, from)), error: stderr.trim() };
}

async function ours(file: string, server: TestServer): Promise<Seen & { thrown: unknown }> {
  const from = server.requests.length;
  try {
    const cfg = await loadClusterConfig({ kubeconfig: file, exec: { stdinIsTerminal: false } });
    const t = new Transport(cfg, { retry: false });
    try {
      await t.request({ method: 'GET', path: '/api', timeoutMs: 5000 });
    } finally {
      await t.close();
    }
    return { ok: true, identity: identityOf(lastApi(server, from)), error: '', thrown: undefined };
  } catch (e) {
    return { ok: false, identity: identityOf(lastApi(server, from)), error: (e as Error).message, thrown: e };
  }
}

function kubeconfig(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** One cluster `c` (at `server`), one user `u` with `user`, context `x` using both. */
function simple(name: string, server: string, cluster: string, user: string): string {
  return kubeconfig(name, `apiVersion: v1
kind: Config
current-context: x
clusters:
- name: c
  cluster: { server: "${server}"${cluster ? `, ${cluster}` : ''} }
users:
- name: u
  user: { ${user} }
contexts:
- name: x
  context: { cluster: c, user: u }
`);
}

async function both(file: string, server: TestServer = http): Promise<{ k: Seen; o: Seen & { thrown: unknown } }> {
  const k = await kubectl(file, server);
  const o = await ours(file, server);
  return { k, o };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kf-kubectl-'));
  const answer = (_req: unknown, res: import('node:http').ServerResponse): void => json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  http = await startServer((req, res) => answer(req, res));
  const pki = makePki();
  https = await startServer((req, res) => answer(req, res), { key: pki.serverKey, cert: pki.serverCert });
});

afterAll(async () => {
  await http.close();
  await https.close();
});

describe('kubeconfig resolved as kubectl resolves it (kubectl run against the same file)', () => {
  it('kubectl is the oracle here: it is installed', () => {
    expect(existsSync(KUBECTL)).toBe(true);
  });

  describe('no credentials of any kind reach an http:// server', () => {
    const cases: [string, string][] = [
      ['token', 'token: tok-SECRET-1'],
      ['basic', 'username: bob, password: pw-SECRET-2'],
      ['a tokenFile that does not even exist', 'tokenFile: /nonexistent/token'],
      ['client certificate data (not even PEM)', `client-certificate-data: ${junk}, client-key-data: ${junk}`],
      ['an oidc auth-provider', 'auth-provider: { name: oidc, config: { id-token: idtok-SECRET-3, client-id: x, idp-issuer-url: "https://issuer.invalid" } }'],
      ['an unsupported auth-provider', 'auth-provider: { name: gcp }'],
      ['an exec plugin with a removed apiVersion', 'exec: { apiVersion: client.authentication.k8s.io/v1alpha1, command: nope }'],
    ];
    for (const [what, user] of cases) {
      it(what, async () => {
        const f = simple(`http-${what.replace(/\W+/g, '-')}.yaml`, http.url, '', user);
        const { k, o } = await both(f);
        expect(k.ok, k.error).toBe(true);
        expect(o.ok, o.error).toBe(true);
        expect(k.identity).toEqual({});
        expect(o.identity).toEqual(k.identity);
      });
    }

    it('an exec plugin is not even run', async () => {
      const marker = join(dir, 'plugin-ran');
      const plugin = join(dir, 'plugin.sh');
      writeFileSync(plugin, `#!/bin/sh\ntouch "${marker}"\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-SECRET"}}'\n`);
      chmodSync(plugin, 0o755);
      const f = simple('http-exec.yaml', http.url, '', `exec: { apiVersion: client.authentication.k8s.io/v1, command: "${plugin}", interactiveMode: Never }`);
      const { k, o } = await both(f);
      expect([k.ok, o.ok]).toEqual([true, true]);
      expect(o.identity).toEqual(k.identity);
      expect(k.identity).toEqual({});
      expect(existsSync(marker)).toBe(false);
    });

    it('impersonation is not a credential: both send it to an http:// server', async () => {
      const f = simple('http-impersonate.yaml', http.url, '', 'token: tok-SECRET, as: jane, as-uid: u-1, as-groups: [g1, g2], as-user-extra: { scopes: [view] }');
      const { k, o } = await both(f);
      expect([k.ok, o.ok]).toEqual([true, true]);
      expect(k.identity).toMatchObject({ 'impersonate-user': 'jane', 'impersonate-uid': 'u-1', 'impersonate-extra-scopes': 'view' });
      expect(k.identity?.authorization).toBeUndefined();
      expect(o.identity).toEqual(k.identity);
    });

    it('for contrast, the same token does reach an https:// server, from both', async () => {
      const pki = makePki();
      const f = simple('https-token.yaml', https.url, `certificate-authority-data: ${b64(pki.caCert)}`, 'token: tok-over-tls');
      const { k, o } = await both(f, https);
      expect([k.ok, o.ok]).toEqual([true, true]);
      expect(k.identity).toEqual({ authorization: 'Bearer tok-over-tls' });
      expect(o.identity).toEqual(k.identity);
    });
  });

  describe('TLS fields on an http:// cluster are ignored, not validated into an error', () => {
    const cases: [string, string, string][] = [
      ['CA data that is not PEM, with insecure-skip-tls-verify', `certificate-authority-data: ${junk}, insecure-skip-tls-verify: true`, 'token: t'],
      ['a tls-server-name', 'tls-server-name: other.example', ''],
      ['a CA file that exists but is not PEM', 'certificate-authority: /etc/hostname', ''],
      ['a client key without a certificate', '', `client-key-data: ${junk}`],
      ['a v1beta1 exec plugin without interactiveMode (never run)', '', 'exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: some-plugin }'],
    ];
    for (const [what, cluster, user] of cases) {
      it(what, async () => {
        const { k, o } = await both(simple(`tls-${what.replace(/\W+/g, '-')}.yaml`, http.url, cluster, user));
        expect(k.ok, k.error).toBe(true);
        expect(o.ok, o.error).toBe(true);
        expect(o.identity).toEqual(k.identity);
      });
    }
  });

  describe('what kubectl still refuses for an http:// cluster, we refuse too', () => {
    const cases: [string, string, string, string][] = [
      ['a CA file that cannot be read', 'certificate-authority: /nonexistent/ca.crt', '', 'FileUnreadable'],
      ['both certificate-authority and -data', `certificate-authority: /etc/hostname, certificate-authority-data: ${junk}`, '', 'InvalidField'],
      ['client certificate files that cannot be read', '', 'client-certificate: /nonexistent/c.crt, client-key: /nonexistent/c.key', 'FileUnreadable'],
      ['a client certificate without a key', '', `client-certificate-data: ${junk}`, 'InvalidField'],
      ['a token together with basic credentials', '', 'token: t, username: a, password: b', 'InvalidField'],
      ['impersonated groups without a user', '', 'as-groups: [g]', 'InvalidField'],
      ['a proxy-url with an unsupported scheme', 'proxy-url: "ftp://proxy.invalid"', '', 'InvalidField'],
      ['an exec plugin without a command', '', 'exec: { apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never }', 'InvalidField'],
      ['an exec plugin without an apiVersion', '', 'exec: { command: some-plugin, interactiveMode: Never }', 'InvalidField'],
      ['a v1 exec plugin without interactiveMode', '', 'exec: { apiVersion: client.authentication.k8s.io/v1, command: some-plugin }', 'InvalidField'],
    ];
    for (const [what, cluster, user, reason] of cases) {
      it(what, async () => {
        const { k, o } = await both(simple(`refuse-${what.replace(/\W+/g, '-')}.yaml`, http.url, cluster, user));
        expect(k.ok).toBe(false);
        expect(k.identity).toBeUndefined();
        expect(o.ok).toBe(false);
        expect(o.identity).toBeUndefined();
        expect(o.thrown).toBeInstanceOf(ConfigError);
        expect(o.thrown).toMatchObject({ reason });
      });
    }
  });

  describe('entries with an empty name', () => {
    it('do not make the file unusable: the other entries are used', async () => {
      const f = kubeconfig('empty-names.yaml', `current-context: x
clusters:
- name: ""
  cluster: { server: "http://127.0.0.1:9" }
- name: c
  cluster: { server: "${http.url}" }
users:
- name: ""
  user: { as: from-empty-user }
- name: u
  user: { as: real-user }
contexts:
- name: ""
  context: { cluster: "", user: "" }
- name: x
  context: { cluster: c, user: u }
`);
      const { k, o } = await both(f);
      expect([k.ok, o.ok]).toEqual([true, true]);
      expect(k.identity).toEqual({ 'impersonate-user': 'real-user' });
      expect(o.identity).toEqual(k.identity);
    });

    it('a missing name is the name "": a context naming no user uses the user named ""', async () => {
      const f = kubeconfig('nameless-user.yaml', `current-context: x
clusters:
- name: c
  cluster: { server: "${http.url}" }
users:
- user: { as: nameless }
contexts:
- name: x
  context: { cluster: c }
`);
      const { k, o } = await both(f);
      expect([k.ok, o.ok]).toEqual([true, true]);
      expect(k.identity).toEqual({ 'impersonate-user': 'nameless' });
      expect(o.identity).toEqual(k.identity);
    });

    it('an empty current-context selects the context named "", whose cluster may be named ""', async () => {
      const f = kubeconfig('empty-context.yaml', `current-context: ""
clusters:
- name: ""
  cluster: { server: "${http.url}" }
contexts:
- name: ""
  context: { cluster: "" }
`);
      const { k, o } = await both(f);
      expect([k.ok, o.ok]).toEqual([true, true]);
      expect(o.identity).toEqual(k.identity);
    });

    it('two entries with one name are refused by both (our message names positions, never the entries)', async () => {
      const f = simple('dup.yaml', http.url, '', 'token: DUP-SECRET-1');
      writeFileSync(f, readFileSync(f, 'utf8').replace('users:\n', 'users:\n- name: u\n  user: { token: DUP-SECRET-0 }\n'));
      const { k, o } = await both(f);
      expect(k.ok).toBe(false);
      expect(k.error).toContain('duplicate name "u"');
      expect(o.ok).toBe(false);
      expect(o.thrown).toMatchObject({ reason: 'MalformedConfig', field: 'users[1].name' });
      expect(o.error).toContain('duplicate name "u" (also users[0])');
      expect(o.error).not.toContain('DUP-SECRET');
    });
  });

  describe('where we deliberately differ (README: "Kubeconfig: where we differ from kubectl")', () => {
    it('a context naming a missing cluster: kubectl silently tries localhost:8080, we refuse', async () => {
      const f = kubeconfig('missing-cluster.yaml', `current-context: x
clusters:
- name: c
  cluster: { server: "${http.url}" }
contexts:
- name: x
  context: { cluster: gone }
`);
      const { k, o } = await both(f);
      expect(k.ok).toBe(false);
      expect(k.error).toContain('localhost:8080');
      expect(o.thrown).toBeInstanceOf(ConfigError);
      expect(o.thrown).toMatchObject({ reason: 'ClusterNotFound' });
    });

    it('a cluster without a server: kubectl silently tries localhost:8080, we refuse', async () => {
      const f = kubeconfig('no-server.yaml', `current-context: x
clusters:
- name: c
  cluster: { tls-server-name: x }
contexts:
- name: x
  context: { cluster: c }
`);
      const { k, o } = await both(f);
      expect(k.ok).toBe(false);
      expect(k.error).toContain('localhost:8080');
      expect(o.thrown).toBeInstanceOf(ConfigError);
      expect(o.thrown).toMatchObject({ reason: 'InvalidField', field: 'clusters[c].server' });
    });

    it('a context naming a missing user: kubectl goes on anonymously, we refuse', async () => {
      const f = simple('missing-user.yaml', http.url, '', 'token: t');
      writeFileSync(f, readFileSync(f, 'utf8').replace('context: { cluster: c, user: u }', 'context: { cluster: c, user: ghost }'));
      const { k, o } = await both(f);
      expect(k.ok).toBe(true);
      expect(k.identity).toEqual({});
      expect(o.thrown).toBeInstanceOf(ConfigError);
      expect(o.thrown).toMatchObject({ reason: 'UserNotFound' });
    });
  });
});
