// Integration (real kube-apiserver + etcd from test/global-setup.ts): every error class the
// server produces, every auth kind, TLS failing closed, and no credential in any output.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Kube } from '../../src/kube.js';
import { parseKubeconfig } from '../../src/config/kubeconfig.js';
import type { DebugEvent } from '../../src/transport/transport.js';
import {
  AlreadyExistsError, ConflictError, ExpiredError, ForbiddenError, InvalidError, NotFoundError, TlsError, UnauthorizedError,
} from '../../src/core/errors.js';
import { makePki } from '../transport/helpers.js';
import { adminKube, adminKubeconfig, caPem, compactEtcd, restrictedKubeconfig, restrictedToken, server, uid } from './cluster.js';

const outputs: string[] = [];
const debug = (e: DebugEvent): void => {
  outputs.push(JSON.stringify(e));
};
function record(e: unknown): unknown {
  if (e instanceof Error) outputs.push(e.message, String(e), JSON.stringify(e), String(e.cause ?? ''));
  return e;
}

let kube: Kube;
let ns: string;
const dir = mkdtempSync(join(tmpdir(), 'kf-int-auth-'));

beforeAll(async () => {
  kube = await adminKube({ onDebug: debug });
  ns = uid('errs');
  await kube.namespaces.create({ metadata: { name: ns } });
});

afterAll(async () => {
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.close();
});

describe('errors from the real server', () => {
  it('404 NotFound', async () => {
    const err = record(await kube.configmaps.namespace(ns).get('missing').catch((e: unknown) => e));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 404, reason: 'NotFound', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/missing` });
    expect((err as NotFoundError).status.details?.name).toBe('missing');
    expect(await kube.configmaps.namespace(ns).getOrUndefined('missing')).toBeUndefined();
  });

  it('409 AlreadyExists and 409 Conflict on a stale resourceVersion', async () => {
    const cms = kube.configmaps.namespace(ns);
    const cm = await cms.create({ metadata: { name: 'dup' }, data: { a: '1' } });
    const dup = record(await cms.create({ metadata: { name: 'dup' } }).catch((e: unknown) => e));
    expect(dup).toBeInstanceOf(AlreadyExistsError);
    expect(dup).toMatchObject({ code: 409, reason: 'AlreadyExists', method: 'POST' });
    await cms.replace({ ...cm, data: { a: '2' } });
    const stale = record(await cms.replace({ ...cm, data: { a: '3' } }).catch((e: unknown) => e));
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict', method: 'PUT' });
    expect((stale as Error).message).toContain('the object has been modified');
  });

  it('422 Invalid with causes naming the fields', async () => {
    const err = record(await kube.pods.namespace(ns).create({ metadata: { name: 'Bad_Name' }, spec: { containers: [] } }, { validate: false }).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(InvalidError);
    const causes = (err as InvalidError).causes;
    expect(causes.map((c) => c.field)).toEqual(expect.arrayContaining(['metadata.name', 'spec.containers']));
    expect(causes.every((c) => typeof c.reason === 'string' && typeof c.message === 'string')).toBe(true);
  });

  it('403 Forbidden through the restricted user, who can still work in its namespace', async () => {
    const r = await Kube.connect({ kubeconfig: restrictedKubeconfig(), onDebug: debug });
    const err = record(await r.configmaps.namespace('default').list().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect((err as Error).message).toContain('cannot list resource "configmaps"');
    const name = uid('mine');
    await r.configmaps.namespace('restricted').create({ metadata: { name }, data: { ok: 'yes' } });
    expect((await r.configmaps.namespace('restricted').get(name)).data).toEqual({ ok: 'yes' });
    await r.configmaps.namespace('restricted').delete(name);
    await r.close();
  });

  it('401 Unauthorized through a bad token', async () => {
    const bad = await Kube.connect({
      kubeconfig: { clusters: [{ name: 'c', cluster: { server: server(), 'certificate-authority-data': Buffer.from(caPem()).toString('base64') } }], users: [{ name: 'u', user: { token: 'not-a-valid-token-0123456789' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' },
      onDebug: debug,
    });
    const err = record(await bad.namespaces.list().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({ code: 401 });
    expect((err as Error).message).not.toContain('not-a-valid-token');
    await bad.close();
  });

  it('410 Expired on a continue token older than the etcd compaction', async () => {
    // Core events have no watch cache, so a continue token is served by etcd itself.
    const events = kube.events.namespace(ns);
    for (const n of ['p1', 'p2', 'p3']) {
      await events.create({ metadata: { name: n }, involvedObject: { kind: 'ConfigMap', name: 'dup', namespace: ns }, reason: 'Test', message: 'paging' });
    }
    const first = await events.list({ limit: 1 });
    expect(first.metadata.continue).toBeTruthy();
    // Paging itself works: three items over three pages.
    const names: string[] = [];
    for await (const e of events.iterate({ limit: 1 })) names.push(e.metadata?.name ?? '');
    expect(names).toEqual(['p1', 'p2', 'p3']);
    await kube.configmaps.namespace(ns).create({ metadata: { name: 'bump' } });
    await compactEtcd();
    const err = record(await events.list({ limit: 1, continue: first.metadata.continue }).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(ExpiredError);
    expect(err).toMatchObject({ code: 410, reason: 'Expired' });
    expect((err as ExpiredError).status.metadata?.continue).toBeTruthy();
  });
});

describe('auth kinds against the real server', () => {
  it('admin client certificate', async () => {
    expect(kube.config.clientCertificate).toBeDefined();
    const list = await kube.namespaces.list();
    expect(list.items.map((n) => n.metadata?.name)).toContain('kube-system');
  });

  it('an exec credential plugin, cached (counted invocations) and re-run after a 401', async () => {
    const counter = join(dir, 'count');
    writeFileSync(counter, '');
    const plugin = join(dir, 'plugin.sh');
    // The first run hands out a bad token (the server answers 401); later runs the real one.
    writeFileSync(plugin, `#!/bin/sh
echo x >> "${counter}"
N=$(wc -l < "${counter}")
if [ "$N" -eq 1 ]; then TOKEN=stale-token-zzzzzz; else TOKEN="$GOOD_TOKEN"; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$TOKEN"
`);
    chmodSync(plugin, 0o755);
    const k = await Kube.connect({
      kubeconfig: {
        clusters: [{ name: 'c', cluster: { server: server(), 'certificate-authority-data': Buffer.from(caPem()).toString('base64') } }],
        users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, env: [{ name: 'GOOD_TOKEN', value: restrictedToken() }], interactiveMode: 'Never' } } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'restricted' } }],
        'current-context': 'x',
      },
      onDebug: debug,
    });
    for (let i = 0; i < 4; i++) await k.configmaps.namespace().list();
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(2);
    await k.close();
  });

  it('an exec plugin that returns a client certificate instead of a token', async () => {
    const admin = parse(readFileSync(adminKubeconfig(), 'utf8')) as { users: { user: Record<string, string> }[] };
    const u = admin.users[0]!.user;
    const pem = (data: string | undefined, file: string | undefined): string => (data ? Buffer.from(data, 'base64').toString('utf8') : readFileSync(file ?? '', 'utf8'));
    const credential = join(dir, 'cert-credential.json');
    writeFileSync(credential, JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential',
      status: { clientCertificateData: pem(u['client-certificate-data'], u['client-certificate']), clientKeyData: pem(u['client-key-data'], u['client-key']) },
    }), { mode: 0o600 });
    const k = await Kube.connect({
      kubeconfig: {
        clusters: [{ name: 'c', cluster: { server: server(), 'certificate-authority-data': Buffer.from(caPem()).toString('base64') } }],
        users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'cat', args: [credential] } } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      },
      onDebug: debug,
    });
    const list = await k.namespaces.list();
    expect(list.items.map((n) => n.metadata?.name)).toContain('kube-system');
    await k.close();
  });

  it('impersonation from the kubeconfig (user, several groups, extra), seen by the server', async () => {
    const admin = parseKubeconfig(readFileSync(adminKubeconfig(), 'utf8'), adminKubeconfig());
    const user = admin.users![0]!;
    const k = await Kube.connect({
      kubeconfig: { ...admin, users: [{ name: user.name, user: { ...user.user, as: 'jane', 'as-groups': ['devs', 'ops, eu'], 'as-user-extra': { team: ['a', 'b'] } } }] },
      onDebug: debug,
    });
    const review = await k.selfsubjectreviews.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    expect(review.status?.userInfo?.username).toBe('jane');
    expect(review.status?.userInfo?.groups).toEqual(expect.arrayContaining(['devs', 'ops, eu', 'system:authenticated']));
    expect(review.status?.userInfo?.extra).toEqual({ team: ['a', 'b'] });
    await k.close();
  });

  it('a kubeconfig merged from two files ($KUBECONFIG)', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, stringify({
      'current-context': 'merged',
      clusters: [{ name: 'test', cluster: { server: server(), 'certificate-authority-data': Buffer.from(caPem()).toString('base64') } }],
      contexts: [{ name: 'merged', context: { cluster: 'test', user: 'restricted', namespace: 'restricted' } }],
    }));
    writeFileSync(b, stringify({
      'current-context': 'other',
      clusters: [{ name: 'test', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'restricted', user: { token: restrictedToken() } }],
      contexts: [{ name: 'other', context: { cluster: 'test', user: 'restricted' } }],
    }));
    const k = await Kube.connect({ env: { KUBECONFIG: [a, b].join(delimiter) }, onDebug: debug });
    expect(k.config.context).toBe('merged');
    expect(k.config.server).toBe(server());
    expect(k.defaultNamespace).toBe('restricted');
    await expect(k.configmaps.namespace().list()).resolves.toMatchObject({ items: expect.any(Array) });
    await k.close();
  });

  it('a wrong CA fails closed with a clear TlsError', async () => {
    const wrong = await Kube.connect({
      kubeconfig: { clusters: [{ name: 'c', cluster: { server: server(), 'certificate-authority-data': Buffer.from(makePki().otherCaCert).toString('base64') } }], users: [{ name: 'u', user: { token: restrictedToken() } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' },
      retry: false,
      onDebug: debug,
    });
    const err = record(await wrong.namespaces.list().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(TlsError);
    expect((err as Error).message).toMatch(/trusted certificate authority/);
    expect((err as Error).message).toContain('certificate-authority');
    await wrong.close();
  });

  it('no credential appears in any error message or debug output', () => {
    const secrets = [restrictedToken()];
    const admin = readFileSync(adminKubeconfig(), 'utf8');
    for (const m of admin.matchAll(/(client-key-data|client-certificate-data|token):\s*(\S+)/g)) secrets.push(m[2]!);
    const key = kube.config.clientCertificate?.key;
    if (key) secrets.push(...key.split('\n').filter((l) => l.length > 20));
    expect(outputs.length).toBeGreaterThan(20);
    const all = outputs.join('\n');
    expect(all).toContain('<redacted>');
    for (const s of secrets) {
      expect(s.length).toBeGreaterThan(8);
      expect(all).not.toContain(s);
    }
    expect(all).not.toMatch(/PRIVATE KEY|Bearer [A-Za-z0-9]/);
  });
});
