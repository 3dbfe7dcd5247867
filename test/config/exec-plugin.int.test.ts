// Integration (real kube-apiserver from test/global-setup.ts): exec credential plugins against
// the real server — issue 12 items 4, 5 and 7 where a real server can show them. The plugins are
// shell scripts that hand out the restricted user's real token.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import type { Kubeconfig } from '../../src/config/kubeconfig.js';
import { AuthPluginError, NetworkError, RequestTimeoutError } from '../../src/core/errors.js';
import { caPem, restrictedToken, server } from '../client/cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'kf-int-exec-'));

function withPlugin(exec: Record<string, unknown>): Kubeconfig {
  return {
    clusters: [{ name: 'c', cluster: { server: server(), 'certificate-authority-data': Buffer.from(caPem()).toString('base64') } }],
    users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', ...exec } as never } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'restricted' } }],
    'current-context': 'x',
  };
}

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

describe('exec credential plugins against the real API server', () => {
  it('two concurrent requests share one slow plugin run; the 300 ms one times out, the 10 s one lists', async () => {
    const runs = join(dir, 'slow-runs');
    const plugin = script('slow.sh', `echo x >> "${runs}"
sleep 1.5
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$GOOD_TOKEN"`);
    const kube = await Kube.connect({ kubeconfig: withPlugin({ command: plugin, env: [{ name: 'GOOD_TOKEN', value: restrictedToken() }] }), retry: false });
    try {
      const cms = kube.configmaps.namespace();
      const [short, long] = await Promise.allSettled([cms.list({ timeoutMs: 300 }), cms.list({ timeoutMs: 10_000 })]);
      expect((short as PromiseRejectedResult).reason).toBeInstanceOf(RequestTimeoutError);
      expect(long.status, String((long as PromiseRejectedResult).reason)).toBe('fulfilled');
      expect(Array.isArray((long as PromiseFulfilledResult<{ items: unknown[] }>).value.items)).toBe(true);
      expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(1);
    } finally {
      await kube.close();
    }
  });

  it('a missing plugin is an AuthPluginError with the install hint, not a NetworkError', async () => {
    const kube = await Kube.connect({ kubeconfig: withPlugin({ command: 'kubefluent-test-no-such-aws', installHint: 'Install the AWS CLI: https://aws.amazon.com/cli/' }) });
    try {
      const err = await kube.configmaps.namespace().list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthPluginError);
      expect(err).not.toBeInstanceOf(NetworkError);
      expect((err as Error).message).toContain('Install the AWS CLI: https://aws.amazon.com/cli/');
    } finally {
      await kube.close();
    }
  });

  it('a failing plugin that prints the real token and an env secret to stderr: neither reaches the error', async () => {
    const plugin = script('leaky.sh', `echo "debug: token=$GOOD_TOKEN" >&2
echo "debug: using key $MY_KEY" >&2
echo "error: the SSO session has expired" >&2
exit 1`);
    const kube = await Kube.connect({ kubeconfig: withPlugin({ command: plugin, env: [{ name: 'GOOD_TOKEN', value: restrictedToken() }, { name: 'MY_KEY', value: 'env-secret-value-42' }] }) });
    try {
      const err = await kube.configmaps.namespace().list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthPluginError);
      const text = [(err as Error).message, String(err), JSON.stringify(err)].join('\n');
      expect(text).toContain('error: the SSO session has expired');
      expect(text).not.toContain(restrictedToken());
      expect(text).not.toContain('env-secret-value-42');
    } finally {
      await kube.close();
    }
  });
});
