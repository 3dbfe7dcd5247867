// Issue 12 item 13 (config parts): a kubeconfig value that cannot go into an HTTP header is
// refused when the kubeconfig is loaded (ConfigError naming the field, never the value), not
// on the first request; a certificate, key, CA, token or kubeconfig path at a device, a FIFO,
// a directory or a huge file is refused at once, without reading it.
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecCredentials } from '../../src/config/exec-credential.js';
import { loadClusterConfig } from '../../src/config/load.js';
import { AuthPluginError, ConfigError } from '../../src/core/errors.js';
import { makePki } from '../transport/helpers.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'kf-input-'));

function kubeconfig(user: object, cluster: object = {}): object {
  const pki = makePki();
  return {
    'current-context': 'x',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64(pki.caCert), ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
  };
}

async function refusal(doc: object): Promise<ConfigError> {
  const err = await loadClusterConfig({ kubeconfig: doc as never }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('hostile: header-unsafe kubeconfig values are refused at load (issue 12 item 13)', () => {
  const injected = 'abc\r\nX-Injected: yes';
  const cases: [string, object, string][] = [
    ['token', { token: injected }, 'users[u].token'],
    ['as', { as: injected }, 'users[u].as'],
    ['as-uid', { as: 'jane', 'as-uid': 'u\n1' }, 'users[u].as-uid'],
    ['as-groups', { as: 'jane', 'as-groups': ['ok', injected] }, 'users[u].as-groups[1]'],
    ['as-user-extra', { as: 'jane', 'as-user-extra': { scopes: [injected] } }, 'users[u].as-user-extra.scopes[0]'],
    ['username', { username: 'bob\n', password: 'pw' }, 'users[u].username'],
    ['password', { username: 'bob', password: 'p\u0000w' }, 'users[u].password'],
    ['an oidc id-token', { 'auth-provider': { name: 'oidc', config: { 'id-token': injected } } }, 'users[u].auth-provider.config.id-token'],
    ['a token with a character node:http cannot send', { token: 'tok\u4e00en' }, 'users[u].token'],
  ];
  for (const [what, user, field] of cases) {
    it(what, async () => {
      const err = await refusal(kubeconfig(user));
      expect(err).toMatchObject({ reason: 'InvalidField', field });
      expect(err.message).not.toContain('X-Injected');
      expect(err.message).toMatch(/character|carriage return|line feed/);
    });
  }

  it('impersonation goes to http:// servers too, so it is checked there as well', async () => {
    const err = await refusal({ ...kubeconfig({ as: injected }), clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:8080' } }] });
    expect(err).toMatchObject({ field: 'users[u].as' });
  });

  it('a server URL with a line break is refused (the URL parser would silently drop it)', async () => {
    const err = await refusal(kubeconfig({}, { server: 'https://127.0.0.1:6443\n' }));
    expect(err).toMatchObject({ field: 'clusters[c].server' });
  });

  it('a token file holding two lines is refused when loaded', async () => {
    const p = join(dir, 'two-line-token');
    writeFileSync(p, 'line-one\nline-two\n');
    const err = await refusal(kubeconfig({ tokenFile: p }));
    expect(err).toMatchObject({ reason: 'InvalidField', field: 'users[u].tokenFile' });
    expect(err.message).not.toContain('line-one');
  });

  it('a token with a line break from an exec plugin is an AuthPluginError', async () => {
    const plugin = join(dir, 'crlf-plugin.sh');
    writeFileSync(plugin, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"a\\\\r\\\\nX-Injected: 1"}}'\n`);
    chmodSync(plugin, 0o755);
    const err = await new ExecCredentials({ apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' }).get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthPluginError);
    expect((err as Error).message).toContain('carriage return');
    expect((err as Error).message).not.toContain('X-Injected');
  });

  it('a tab or a Latin-1 letter is not a problem', async () => {
    const cfg = await loadClusterConfig({ kubeconfig: kubeconfig({ token: 'tok', as: 'José\tjr' }) as never });
    expect(cfg.impersonate?.user).toBe('José\tjr');
  });
});

describe('hostile: certificate, key, CA, token and kubeconfig paths that are not small regular files (issue 12 item 13)', () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const directory = join(dir, 'a-directory');
  mkdirSync(directory);
  const huge = join(dir, 'huge.pem');
  // Sparse: 200 MB on paper, nothing on disk.
  const fd = openSync(huge, 'w');
  closeSync(fd);
  execFileSync('truncate', ['-s', '200M', huge]);
  const targets: [string, string, RegExp][] = [
    ['/dev/zero', '/dev/zero', /is a device/],
    ['a FIFO', fifo, /is a FIFO/],
    ['a directory', directory, /is a directory/],
    ['a 200 MB file', huge, /is larger than \d+ MiB/],
  ];
  const fields: [string, (p: string) => object, string][] = [
    ['certificate-authority', () => ({}), 'clusters[c].certificate-authority'],
    ['client-certificate', (p) => ({ 'client-certificate': p, 'client-key': p }), 'users[u].client-certificate'],
    ['tokenFile', (p) => ({ tokenFile: p }), 'users[u].tokenFile'],
  ];
  for (const [what, path, message] of targets) {
    for (const [name, user, field] of fields) {
      it(`${name} at ${what}`, async () => {
        const doc = kubeconfig(user(path), name === 'certificate-authority' ? { 'certificate-authority': path, 'certificate-authority-data': undefined } : {});
        const started = Date.now();
        const err = await refusal(doc);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(err).toMatchObject({ reason: 'FileUnreadable', field });
        expect(err.message).toMatch(message);
      });
    }
    it(`a kubeconfig at ${what}`, async () => {
      const started = Date.now();
      const err = await loadClusterConfig({ kubeconfig: path }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ reason: 'FileUnreadable', file: path });
      expect((err as Error).message).toMatch(message);
    });
  }
});
