// Exec credential plugins run as real child processes (small shell scripts).
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecCredentials } from '../../src/config/exec-credential.js';
import { AuthPluginError } from '../../src/core/errors.js';

function script(body: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kf-exec-'));
  const path = join(dir, 'plugin.sh');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, dir };
}

const v1 = 'client.authentication.k8s.io/v1';

describe('ExecCredentials', () => {
  it('passes env, args and KUBERNETES_EXEC_INFO, and caches the token until expirationTimestamp', async () => {
    const { path, dir } = script(`echo "$KUBERNETES_EXEC_INFO" > "${'$'}{OUT_DIR}/info.json"
echo "$1 $MY_VAR" >> "${'$'}{OUT_DIR}/calls"
EXP=$(date -u -d "+2 seconds" +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"${v1}","kind":"ExecCredential","status":{"token":"exec-token-xyz","expirationTimestamp":"%s"}}' "$EXP"`);
    const p = new ExecCredentials(
      { apiVersion: v1, command: path, args: ['--flag'], env: [{ name: 'MY_VAR', value: 'hello' }, { name: 'OUT_DIR', value: dir }], interactiveMode: 'Never', provideClusterInfo: true },
      { cluster: { server: 'https://127.0.0.1:6443', 'tls-server-name': 'kubernetes' } },
    );
    const [a, b] = await Promise.all([p.get(), p.get()]);
    expect(a).toEqual({ authorization: 'Bearer exec-token-xyz' });
    expect(b).toEqual(a);
    await p.get();
    expect(p.invocations).toBe(1);
    const info = JSON.parse(readFileSync(join(dir, 'info.json'), 'utf8')) as Record<string, unknown>;
    expect(info).toEqual({ apiVersion: v1, kind: 'ExecCredential', spec: { interactive: false, cluster: { server: 'https://127.0.0.1:6443', 'tls-server-name': 'kubernetes' } } });
    expect(readFileSync(join(dir, 'calls'), 'utf8').trim()).toBe('--flag hello');
    await new Promise((r) => setTimeout(r, 2100));
    await p.get();
    expect(p.invocations).toBe(2);
    p.invalidate();
    await p.get();
    expect(p.invocations).toBe(3);
  });

  it('supports v1beta1 and client certificates', async () => {
    const { path } = script(`echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}}'`);
    const p = new ExecCredentials({ apiVersion: 'client.authentication.k8s.io/v1beta1', command: path });
    expect(await p.get()).toEqual({ clientCertificate: { cert: 'CERT', key: 'KEY' } });
  });

  it('a failing plugin is an AuthPluginError with its stderr, never a crash', async () => {
    const { path } = script('echo "error: you must log in (token: abcdefSECRET)" >&2; exit 3');
    const p = new ExecCredentials({ apiVersion: v1, command: path, interactiveMode: 'Never' });
    const err = await p.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthPluginError);
    expect(err).toMatchObject({ reason: 'ExecPluginFailed' });
    expect((err as Error).message).toContain('exited with code 3');
    expect((err as Error).message).toContain('you must log in');
    expect((err as Error).message).not.toContain('abcdefSECRET');
  });

  it('a missing command shows the installHint', async () => {
    const p = new ExecCredentials({ apiVersion: v1, command: 'kubefluent-no-such-plugin', interactiveMode: 'Never', installHint: 'Install it with: brew install x' });
    const err = await p.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthPluginError);
    expect((err as Error).message).toContain('command not found. Install it with: brew install x');
  });

  it('bad output, wrong apiVersion and no credentials are typed errors', async () => {
    const cases: [string, RegExp][] = [
      ['echo not json', /not JSON/],
      [`echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}'`, /returned apiVersion/],
      [`echo '{"apiVersion":"${v1}","kind":"ExecCredential","status":{}}'`, /neither status.token/],
      [`echo '{"apiVersion":"${v1}","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"soon"}}'`, /RFC 3339/],
    ];
    for (const [body, msg] of cases) {
      const p = new ExecCredentials({ apiVersion: v1, command: script(body).path, interactiveMode: 'Never' });
      await expect(p.get()).rejects.toThrow(msg);
    }
  });

  it('a hanging plugin times out instead of hanging the client', async () => {
    const { path } = script('sleep 30');
    const p = new ExecCredentials({ apiVersion: v1, command: path, interactiveMode: 'Never' }, { timeoutMs: 200 });
    await expect(p.get()).rejects.toThrow(/did not finish within 200 ms/);
  });

  it('interactiveMode Always without a terminal fails clearly', async () => {
    const p = new ExecCredentials({ apiVersion: v1, command: 'true', interactiveMode: 'Always' }, { stdinIsTerminal: false });
    await expect(p.get()).rejects.toThrow(/needs an interactive terminal/);
  });
});
