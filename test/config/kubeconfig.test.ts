// Kubeconfig loading, kubectl's merge rules, context resolution and the errors for bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inClusterConfig } from '../../src/config/in-cluster.js';
import { loadKubeconfig, parseKubeconfig } from '../../src/config/kubeconfig.js';
import { loadClusterConfig } from '../../src/config/load.js';
import { resolveKubeconfig } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/core/errors.js';
import { makePki } from '../transport/helpers.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kf-cfg-'));
}

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const fileA = `
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: shared
  cluster: { server: "https://a.example:6443", certificate-authority: ca.crt }
- name: only-a
  cluster: { server: "https://only-a:6443" }
users:
- name: alice
  user: { token: token-from-a }
contexts:
- name: a
  context: { cluster: shared, user: alice, namespace: team-a }
`;

const fileB = `
current-context: b
clusters:
- name: shared
  cluster: { server: "https://b.example:6443" }
users:
- name: alice
  user: { token: token-from-b }
- name: bob
  user: { tokenFile: ./bob.token }
contexts:
- name: b
  context: { cluster: shared, user: bob }
`;

describe('kubeconfig', () => {
  it('merges $KUBECONFIG by kubectl rules: first name and first current-context win, missing files skipped', async () => {
    const dir = tmp();
    const pki = makePki();
    write(dir, 'ca.crt', pki.caCert);
    write(dir, 'bob.token', 'bob-token');
    const a = write(dir, 'a.yaml', fileA);
    const b = write(dir, 'b.yaml', fileB);
    const env = { KUBECONFIG: [join(dir, 'missing.yaml'), a, b].join(delimiter) };
    const loaded = await loadKubeconfig({ env });
    expect(loaded.currentContext).toBe('a');
    expect(loaded.clusters.get('shared')?.value.server).toBe('https://a.example:6443');
    expect(loaded.clusters.get('shared')?.value['certificate-authority']).toBe(join(dir, 'ca.crt'));
    expect(loaded.clusters.has('only-a')).toBe(true);
    expect(loaded.users.get('bob')?.value.tokenFile).toBe(join(dir, 'bob.token'));
    expect(loaded.files).toEqual([a, b]);
    const cfg = await resolveKubeconfig(loaded);
    expect(cfg.server).toBe('https://a.example:6443');
    expect(cfg.namespace).toBe('team-a');
    expect(cfg.tls.ca).toContain('BEGIN CERTIFICATE');
    expect(cfg.credentials.kind).toBe('token');
    const other = await resolveKubeconfig(loaded, { context: 'b', namespace: 'override' });
    expect(other.credentials.kind).toBe('token-file');
    expect(other.namespace).toBe('override');
    expect(await other.credentials.get()).toEqual({ authorization: 'Bearer bob-token' });
  });

  it('reads client certificates from data and files, and keeps the key out of enumeration', async () => {
    const pki = makePki();
    const dir = tmp();
    write(dir, 'c.crt', pki.clientCert);
    write(dir, 'c.key', pki.clientKey);
    const yaml = `
current-context: x
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443", certificate-authority-data: ${b64(pki.caCert)}, tls-server-name: kubernetes, proxy-url: "http://127.0.0.1:3128" } }]
users:
- { name: files, user: { client-certificate: c.crt, client-key: c.key, as: jane, as-groups: [dev], as-user-extra: { scopes: [view] } } }
- { name: data, user: { client-certificate-data: ${b64(pki.clientCert)}, client-key-data: ${b64(pki.clientKey)} } }
contexts: [{ name: x, context: { cluster: c, user: files } }, { name: "y", context: { cluster: c, user: data } }]
`;
    const path = write(dir, 'config', yaml);
    const x = await loadClusterConfig({ kubeconfig: path });
    expect(x.clientCertificate?.key).toBe(pki.clientKey);
    expect(x.tls.serverName).toBe('kubernetes');
    expect(x.proxyUrl).toBe('http://127.0.0.1:3128');
    expect(x.impersonate).toEqual({ user: 'jane', groups: ['dev'], extra: { scopes: ['view'] } });
    expect(JSON.stringify(x)).not.toContain('PRIVATE KEY');
    const y = await loadClusterConfig({ kubeconfig: path, context: 'y' });
    expect(y.clientCertificate?.cert).toBe(pki.clientCert);
  });

  it('honours an AbortSignal while reading files', async () => {
    const dir = tmp();
    const p = write(dir, 'config', fileA);
    await expect(loadClusterConfig({ kubeconfig: p, signal: AbortSignal.abort() })).rejects.toMatchObject({ reason: 'Aborted' });
  });

  it('accepts a kubeconfig object or YAML text', async () => {
    const cfg = await loadClusterConfig({
      kubeconfig: { clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:8080' } }], contexts: [{ name: 'x', context: { cluster: 'c' } }], 'current-context': 'x' },
    });
    expect(cfg.server).toBe('http://127.0.0.1:8080');
    expect(cfg.namespace).toBe('default');
    const fromYaml = await loadClusterConfig({ kubeconfigYaml: fileA.replace('certificate-authority: ca.crt', 'insecure-skip-tls-verify: true') });
    expect(fromYaml.tls.insecureSkipTlsVerify).toBe(true);
  });

  describe('bad input is a typed ConfigError that says what to fix', () => {
    it('malformed YAML names the file and line, and never echoes the content', () => {
      const err = (() => {
        try {
          parseKubeconfig('users:\n- name: a\n  user: { token: "s3cr3t-token-value\n  bad: [', '/tmp/kc.yaml');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ reason: 'MalformedConfig', file: '/tmp/kc.yaml' });
      expect((err as Error).message).toMatch(/Fix:/);
      expect((err as Error).message).not.toContain('s3cr3t');
      expect(String((err as Error).cause)).not.toContain('s3cr3t');
    });

    it('a wrong shape names the field', () => {
      const e = (() => {
        try {
          parseKubeconfig({ clusters: [{ name: 'c', cluster: { server: 42 } }] }, '/k');
        } catch (x) {
          return x as ConfigError;
        }
      })();
      expect(e).toBeInstanceOf(ConfigError);
      expect(e?.field).toBe('clusters[0].cluster.server');
      expect(e?.message).toContain('clusters[0].cluster.server: expected a string, got a number');
      const problem = (doc: object): string => {
        try {
          parseKubeconfig(doc, '/k');
        } catch (x) {
          return `${(x as ConfigError).field ?? '-'} | ${(x as ConfigError).message}`;
        }
        return 'accepted';
      };
      expect(problem({ contexts: [{ name: 'a', context: { cluster: 'c' } }, { name: 'b', context: { cluster: 7 } }] })).toMatch(/^contexts\[1\]\.context\.cluster \| .*contexts\[1\]\.context\.cluster: expected a string, got a number/);
      // As kubectl: an entry without a cluster mapping or with an empty name loads (it is an error only
      // when a context uses it; see kubeconfig-kubectl.test.ts); two entries with one name do not.
      expect(problem({ clusters: [{ name: 'c' }] })).toBe('accepted');
      expect(problem({ clusters: [{ name: '', cluster: { server: 'https://h' } }] })).toBe('accepted');
      expect(problem({ clusters: [{ name: 'c', cluster: {} }, { name: 'c', cluster: {} }] })).toMatch(/^clusters\[1\]\.name \| .*duplicate name "c" \(also clusters\[0\]\)/);
      expect(problem({ users: { alice: {} } })).toMatch(/^users \| .*expected a list, got a mapping/);
      expect(problem({ users: [{ name: 'u', user: { exec: { apiVersion: 'v1', command: 'x', interactiveMode: 'Sometimes' } } }] })).toMatch(/interactiveMode: expected one of Never, IfAvailable, Always, got "Sometimes"/);
      expect(problem({ users: [{ name: 'u', user: { 'as-user-extra': { scopes: ['a', 1] } } }] })).toMatch(/^users\[0\]\.user\.as-user-extra\.scopes\[1\] \| .*expected a string, got a number/);
      expect(problem(['a'])).toMatch(/^- \| .*the document: expected a mapping, got a list/);
      // Secrets put in the wrong place are not echoed; null means absent; unknown fields pass.
      expect(problem({ users: [{ name: 'u', user: { token: 12345678 } }] })).not.toContain('12345678');
      expect(problem({ clusters: null, users: [{ name: 'u', user: null }], preferences: { colors: true }, extra: 1 })).toBe('accepted');
    });

    it('a missing context lists the available ones', async () => {
      const err = await loadClusterConfig({ kubeconfigYaml: fileA, context: 'nope' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ reason: 'ContextNotFound' });
      expect((err as Error).message).toContain('use one of: a');
    });

    it('no current-context', async () => {
      const err = await loadClusterConfig({ kubeconfigYaml: fileA.replace('current-context: a', '') }).catch((e: unknown) => e);
      expect(err).toMatchObject({ reason: 'ContextNotFound' });
      expect((err as Error).message).toContain('use-context');
    });

    it('a missing cluster or user', async () => {
      await expect(loadClusterConfig({ kubeconfigYaml: fileA.replace('cluster: shared, user', 'cluster: gone, user') })).rejects.toMatchObject({ reason: 'ClusterNotFound' });
      await expect(loadClusterConfig({ kubeconfigYaml: fileA.replace('user: alice, namespace', 'user: carol, namespace') })).rejects.toMatchObject({ reason: 'UserNotFound' });
    });

    it('an unreadable certificate file names the field and the path', async () => {
      const dir = tmp();
      const yaml = fileA.replace('certificate-authority: ca.crt', 'insecure-skip-tls-verify: false').replace('{ token: token-from-a }', '{ client-certificate: nope.crt, client-key: nope.key }');
      const p = write(dir, 'config', yaml);
      const err = await loadClusterConfig({ kubeconfig: p }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ reason: 'FileUnreadable', field: 'users[alice].client-certificate', file: p });
      expect((err as Error).message).toContain(join(dir, 'nope.crt'));
    });

    it('CA data that is not PEM, cert without key, insecure with CA, several auth methods, unsupported providers', async () => {
      const base = (cluster: string, user: string): string => `current-context: x
clusters: [{ name: c, cluster: { server: "https://h:1", ${cluster} } }]
users: [{ name: u, user: { ${user} } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]`;
      const pki = makePki();
      await expect(loadClusterConfig({ kubeconfigYaml: base(`certificate-authority-data: ${b64('nope')}`, '') })).rejects.toMatchObject({ reason: 'InvalidField', field: 'clusters[c].certificate-authority-data' });
      await expect(loadClusterConfig({ kubeconfigYaml: base('', `client-certificate-data: ${b64(pki.clientCert)}`) })).rejects.toMatchObject({ reason: 'InvalidField', field: 'users[u].client-key' });
      await expect(loadClusterConfig({ kubeconfigYaml: base(`insecure-skip-tls-verify: true, certificate-authority-data: ${b64(pki.caCert)}`, '') })).rejects.toMatchObject({ reason: 'InvalidField' });
      await expect(loadClusterConfig({ kubeconfigYaml: base('', 'token: t, username: a, password: b') })).rejects.toMatchObject({ reason: 'InvalidField' });
      const gcp = await loadClusterConfig({ kubeconfigYaml: base('', 'auth-provider: { name: gcp }') }).catch((e: unknown) => e);
      expect(gcp).toMatchObject({ reason: 'Unsupported' });
      expect((gcp as Error).message).toContain('gke-gcloud-auth-plugin');
      await expect(loadClusterConfig({ kubeconfigYaml: base('', 'exec: { apiVersion: client.authentication.k8s.io/v1alpha1, command: x }') })).rejects.toMatchObject({ reason: 'InvalidField' });
      await expect(loadClusterConfig({ kubeconfigYaml: base('', 'exec: { apiVersion: client.authentication.k8s.io/v1, command: x }') })).rejects.toMatchObject({ field: 'users[u].exec.interactiveMode' });
      await expect(loadClusterConfig({ kubeconfigYaml: 'clusters: [{ name: c, cluster: { server: "not a url" } }]\ncontexts: [{ name: x, context: { cluster: c } }]\ncurrent-context: x' })).rejects.toMatchObject({ reason: 'InvalidField' });
    });

    it('an explicit path that does not exist, and no config at all', async () => {
      await expect(loadClusterConfig({ kubeconfig: '/nonexistent/kubeconfig' })).rejects.toMatchObject({ reason: 'FileUnreadable', file: '/nonexistent/kubeconfig' });
      const err = await loadClusterConfig({ env: { KUBECONFIG: '/nonexistent/a' } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ reason: 'NoConfig' });
      expect((err as Error).message).toContain('/nonexistent/a');
    });
  });

  it('falls back to in-cluster config, re-reading the rotated token', async () => {
    const dir = tmp();
    const pki = makePki();
    write(dir, 'ca.crt', pki.caCert);
    write(dir, 'token', 'sa-token-1');
    write(dir, 'namespace', 'apps\n');
    const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: join(dir, 'none') };
    const cfg = await loadClusterConfig({ env, inCluster: { serviceAccountDir: dir, tokenRecheckMs: 0 } });
    expect(cfg.source).toBe('in-cluster');
    expect(cfg.server).toBe('https://[fd00::1]:443');
    expect(cfg.namespace).toBe('apps');
    expect(await cfg.credentials.get()).toEqual({ authorization: 'Bearer sa-token-1' });
    await new Promise((r) => setTimeout(r, 20));
    write(dir, 'token', 'sa-token-2');
    expect(await cfg.credentials.get()).toEqual({ authorization: 'Bearer sa-token-2' });
    await expect(inClusterConfig({ env: {} })).rejects.toMatchObject({ reason: 'NoConfig' });
    await expect(inClusterConfig({ env, serviceAccountDir: join(dir, 'nope') })).rejects.toMatchObject({ reason: 'FileUnreadable' });
  });
});
