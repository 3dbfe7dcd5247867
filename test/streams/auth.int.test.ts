// Integration (real kube-apiserver v1.37 + kwok): exec and port-forward upgrade through the
// same connection layer as every other call, so each auth kind the client supports works for
// them: client certificate, static token, token file, exec plugin (token, with a 401 refresh;
// and client certificate), impersonation, and an HTTP CONNECT proxy from proxy-url. (OIDC
// needs an issuer the test API server is not configured with; it rides on the same
// credential provider seam as the exec plugin.)
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Kube } from '../../src/kube.js';
import { ForbiddenError } from '../../src/core/errors.js';
import { adminKubeconfig, caPem, restrictedToken, server, uid } from '../client/cluster.js';
import { runningPod, streamsKube } from './support/pods.js';

const NS = 'restricted';
let admin: Kube;
let pod: string;
let other: string;
let dir: string;
let proxy: Server;
let connects = 0;
/** The exec plugin's invocation log of the current case. */
let pluginRuns: string | undefined;

type Json = Record<string, unknown>;
const cluster = (extra: Json = {}): Json => ({ name: 'c', cluster: { server: server(), 'certificate-authority-data': Buffer.from(caPem()).toString('base64'), ...extra } });
const config = (user: Json, clusterExtra: Json = {}): Json => ({
  clusters: [cluster(clusterExtra)], users: [{ name: 'u', user }],
  contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: NS } }], 'current-context': 'x',
});
function adminUser(): Json {
  const k = parse(readFileSync(adminKubeconfig(), 'utf8')) as { users: { user: Json }[] };
  return k.users[0]!.user;
}
const pem = (u: Json, key: 'client-certificate' | 'client-key'): string =>
  u[`${key}-data`] ? Buffer.from(String(u[`${key}-data`]), 'base64').toString('utf8') : readFileSync(String(u[key]), 'utf8');

beforeAll(async () => {
  admin = await streamsKube();
  pod = (await runningPod(admin, { namespace: NS, name: uid('auth') })).name;
  const elsewhere = await runningPod(admin);
  other = elsewhere.ns;
  dir = mkdtempSync(join(tmpdir(), 'kf-streams-auth-'));
  // An HTTP CONNECT proxy on 127.0.0.1 that counts tunnels.
  proxy = createServer((client) => {
    client.once('data', (head: Buffer) => {
      const m = /^CONNECT ([^:\s]+):(\d+) HTTP/.exec(head.toString());
      if (!m) return void client.destroy();
      connects++;
      const upstream = connect(Number(m[2]), m[1]!, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await admin.pods.namespace(NS).delete(pod).catch(() => undefined);
  await admin.namespaces.delete(other).catch(() => undefined);
  await admin.close();
  proxy.close();
  rmSync(dir, { recursive: true, force: true });
});

async function echoThrough(kube: Kube, word: string): Promise<string> {
  const out = await (await kube.pods.namespace(NS).exec(pod, { command: ['echo', word] })).output();
  return out.stdout;
}

async function forwardThrough(kube: Kube): Promise<string> {
  const stream = await kube.pods.namespace(NS).openPort(pod, 8080);
  await stream.write('GET / HTTP/1.0\r\n\r\n');
  let text = '';
  for await (const c of stream) {
    text += Buffer.from(c).toString();
    if (text.includes('port-forward\n')) break;
  }
  stream.close();
  return text.split('\r\n')[0]!;
}

describe('exec and port-forward with every auth kind', () => {
  const kinds: [string, () => Json][] = [
    ['client certificate', () => config(adminUser())],
    ['static bearer token', () => config({ token: restrictedToken() })],
    ['token file', () => {
      const file = join(dir, 'token');
      writeFileSync(file, restrictedToken(), { mode: 0o600 });
      return config({ tokenFile: file });
    }],
    ['exec plugin (token; the first one is stale: 401, refreshed, retried)', () => {
      const counter = join(dir, `count-${uid('c')}`);
      writeFileSync(counter, '');
      pluginRuns = counter;
      const plugin = join(dir, `plugin-${uid('p')}.sh`);
      writeFileSync(plugin, `#!/bin/sh
echo x >> "${counter}"
N=$(wc -l < "${counter}")
if [ "$N" -eq 1 ]; then TOKEN=stale-token-zzzzzz; else TOKEN="$GOOD_TOKEN"; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$TOKEN"
`);
      chmodSync(plugin, 0o755);
      return config({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, env: [{ name: 'GOOD_TOKEN', value: restrictedToken() }], interactiveMode: 'Never' } });
    }],
    ['exec plugin (client certificate)', () => {
      const u = adminUser();
      const credential = join(dir, 'cert-credential.json');
      writeFileSync(credential, JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential',
        status: { clientCertificateData: pem(u, 'client-certificate'), clientKeyData: pem(u, 'client-key') },
      }), { mode: 0o600 });
      return config({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'cat', args: [credential] } });
    }],
  ];

  it.each(kinds)('%s', async (kind, make) => {
    pluginRuns = undefined;
    const kube = await Kube.connect({ kubeconfig: make() });
    try {
      expect(await echoThrough(kube, kind.split(' ')[0]!)).toBe(`${kind.split(' ')[0]}\n`);
      expect(await forwardThrough(kube)).toBe('HTTP/1.1 200 OK');
      // The upgrade got the 401, the plugin ran again, and the second token stayed cached.
      if (pluginRuns) expect(readFileSync(pluginRuns, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      await kube.close();
    }
  });

  it('impersonation: admin acting as the restricted user may exec in its namespace and nowhere else', async () => {
    const kube = await Kube.connect({ kubeconfig: config({ ...adminUser(), as: 'restricted' }) });
    try {
      expect(await echoThrough(kube, 'impersonated')).toBe('impersonated\n');
      const err = await kube.pods.namespace(other).exec('p', { command: ['true'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ForbiddenError);
      expect((err as ForbiddenError).message).toContain('User "restricted"');
    } finally {
      await kube.close();
    }
  });

  it('through an HTTP CONNECT proxy named by proxy-url', async () => {
    const before = connects;
    const kube = await Kube.connect({ kubeconfig: config(adminUser(), { 'proxy-url': `http://127.0.0.1:${(proxy.address() as { port: number }).port}` }) });
    try {
      expect(await echoThrough(kube, 'proxied')).toBe('proxied\n');
      expect(await forwardThrough(kube)).toBe('HTTP/1.1 200 OK');
      expect(connects).toBeGreaterThan(before);
    } finally {
      await kube.close();
    }
  });
});
