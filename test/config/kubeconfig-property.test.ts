// Property-based tests (fast-check) for kubeconfig parsing and resolution, the parsers that
// meet a user's (or an attacker's) file: whatever the input, the answer is a config or a typed
// ConfigError — never a TypeError, never a hang — and a config that comes out keeps the
// promises: no credentials for http://, nothing header-unsafe in impersonation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { mergeKubeconfigs, parseKubeconfig } from '../../src/config/kubeconfig.js';
import { headerValueProblem } from '../../src/config/header-values.js';
import { resolveKubeconfig } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/core/errors.js';
import { makePki } from '../transport/helpers.js';

const pki = makePki();
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function typedOrResult(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${String(e)}`, { cause: e });
    expect(typeof e.reason).toBe('string');
  }
}

async function resolveOrTyped(doc: unknown, selection: { context?: string; user?: string; cluster?: string }): Promise<ClusterConfig | undefined> {
  try {
    const parsed = parseKubeconfig(doc as object, '/virtual/kubeconfig');
    return await resolveKubeconfig(mergeKubeconfigs([{ config: parsed, file: '/virtual/kubeconfig' }]), selection);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${String(e)}`, { cause: e });
    return undefined;
  }
}

// Strings a hostile or broken file might hold in any field.
const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'c', 'u', 'x', ' ', 'a\r\nb', 'tab\there', '\u0000', 'José', '山田', '\ud800', '/dev/zero', '/etc/hostname', '/nonexistent', '.', '~/x'),
  fc.constantFrom('https://127.0.0.1:6443', 'http://127.0.0.1:8080', 'https://u:p@h:1', 'ftp://x', 'not a url', 'socks5://p:1', 'http://[::1]:1'),
  fc.constantFrom(b64(pki.caCert), b64(pki.clientCert), b64(pki.clientKey), b64('junk')),
);
const scalar = fc.oneof(nasty, fc.boolean(), fc.integer(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.oneof({ weight: 6, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.dictionary(nasty, scalar, { maxKeys: 3 }) });
const fieldsOf = (keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 5 });

const clusterKeys = ['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'proxy-url', 'disable-compression'];
const userKeys = ['token', 'tokenFile', 'username', 'password', 'as', 'as-uid', 'as-groups', 'as-user-extra', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data'];
const execArb = fc.record({
  apiVersion: fc.oneof(fc.constantFrom('client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'), value),
  command: value,
  interactiveMode: fc.oneof(fc.constantFrom('Never', 'IfAvailable', 'Always'), value),
  env: fc.oneof(value, fc.array(fc.record({ name: value, value: value }), { maxLength: 2 })),
}, { requiredKeys: [] });
const userArb = fc.oneof(
  fieldsOf(userKeys),
  fc.tuple(fieldsOf(userKeys), execArb).map(([u, exec]) => ({ ...u, exec })),
  fc.tuple(fieldsOf(userKeys), fc.record({ name: fc.oneof(fc.constant('oidc'), value), config: fc.oneof(value, fc.dictionary(fc.constantFrom('id-token', 'idp-issuer-url', 'refresh-token', 'idp-certificate-authority-data'), nasty)) }, { requiredKeys: [] }))
    .map(([u, ap]) => ({ ...u, 'auth-provider': ap })),
  value,
);
const named = (inner: string, arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 5, arbitrary: fc.record({ name: nasty, [inner]: arb }, { requiredKeys: [] }) }, { weight: 1, arbitrary: value });
const docArb = fc.record({
  'current-context': fc.oneof(fc.constantFrom('x', ''), value),
  clusters: fc.oneof({ weight: 5, arbitrary: fc.array(named('cluster', fc.oneof(fieldsOf(clusterKeys), value)), { maxLength: 3 }) }, { weight: 1, arbitrary: value }),
  users: fc.oneof({ weight: 5, arbitrary: fc.array(named('user', userArb), { maxLength: 3 }) }, { weight: 1, arbitrary: value }),
  contexts: fc.oneof({ weight: 5, arbitrary: fc.array(named('context', fc.oneof(fieldsOf(['cluster', 'user', 'namespace']), value)), { maxLength: 3 }) }, { weight: 1, arbitrary: value }),
}, { requiredKeys: [] });

// Mostly valid documents with a few hostile fields, so that resolution gets far and often succeeds.
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 2 });
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 40, arbitrary: good }, { weight: 1, arbitrary: value });
const names = fc.constantFrom('x', 'c', 'u', '');
const headerish = fc.oneof({ weight: 30, arbitrary: fc.stringMatching(/^[a-z0-9:.-]{1,10}$/) }, { weight: 1, arbitrary: nasty });
const goodExec = fc.record({
  apiVersion: mostly(fc.constantFrom('client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1')),
  command: mostly(fc.constantFrom('kubefluent-test-plugin', './plugin', '/bin/true')),
  interactiveMode: mostly(fc.constantFrom('Never', 'IfAvailable', 'Always')),
  env: opt(mostly(fc.array(fc.record({ name: headerish, value: headerish }), { maxLength: 2 }))),
}, { requiredKeys: ['apiVersion', 'command', 'interactiveMode'] });
const goodCluster = fc.record({
  server: mostly(fc.constantFrom('https://127.0.0.1:6443', 'http://127.0.0.1:8080', 'http://[::1]:8080')),
  'certificate-authority-data': opt(mostly(fc.constant(b64(pki.caCert)))),
  'insecure-skip-tls-verify': opt(mostly(fc.boolean())),
  'tls-server-name': opt(headerish),
  'proxy-url': opt(mostly(fc.constantFrom('http://127.0.0.1:3128', 'socks5://127.0.0.1:1080'))),
}, { requiredKeys: [] });
const identity = fc.record({
  as: opt(headerish), 'as-uid': opt(headerish), 'as-groups': opt(mostly(fc.array(headerish, { maxLength: 3 }))),
  'as-user-extra': opt(mostly(fc.dictionary(headerish, fc.array(headerish, { maxLength: 2 }), { maxKeys: 2 }))),
  'client-certificate-data': opt(mostly(fc.constant(b64(pki.clientCert)))), 'client-key-data': opt(mostly(fc.constant(b64(pki.clientKey)))),
}, { requiredKeys: [] });
// One authentication method (mostly): several at once are refused, which the properties above cover.
const method = fc.oneof(
  fc.constant({}),
  fc.record({ token: headerish }),
  fc.record({ username: headerish, password: headerish }),
  fc.record({ exec: goodExec }),
);
const goodUser = fc.tuple(identity, method).map(([i, m]) => ({ ...i, ...m }));
// Context x → cluster c and user u exist most of the time; other entries (empty names included) around them.
const others = <T>(arb: fc.Arbitrary<T>, taken: string): fc.Arbitrary<{ name: string; v: T }[]> =>
  fc.uniqueArray(fc.record({ name: fc.constantFrom('', 'y', 'z').filter((n) => n !== taken), v: arb }), { maxLength: 2, selector: (e) => e.name });
const mostlyValidDoc = fc.record({
  current: fc.oneof({ weight: 8, arbitrary: fc.constant('x') }, { weight: 1, arbitrary: fc.constantFrom('', 'y', 'gone') }),
  context: mostly(fc.record({ cluster: fc.oneof({ weight: 8, arbitrary: fc.constant('c') }, { weight: 1, arbitrary: fc.constantFrom('', 'y', 'gone') }), user: opt(fc.constantFrom('u', '', 'y')), namespace: opt(headerish) }, { requiredKeys: ['cluster'] })),
  cluster: mostly(goodCluster),
  user: mostly(goodUser),
  moreClusters: others(mostly(goodCluster), 'c'),
  moreUsers: others(mostly(goodUser), 'u'),
  moreContexts: others(mostly(fc.record({ cluster: opt(names), user: opt(names) }, { requiredKeys: [] })), 'x'),
}).map((d) => ({
  'current-context': d.current,
  clusters: [{ name: 'c', cluster: d.cluster }, ...d.moreClusters.map((e) => ({ name: e.name, cluster: e.v }))],
  users: [{ name: 'u', user: d.user }, ...d.moreUsers.map((e) => ({ name: e.name, user: e.v }))],
  contexts: [{ name: 'x', context: d.context }, ...d.moreContexts.map((e) => ({ name: e.name, context: e.v }))],
}));

function checkPromises(cfg: ClusterConfig): void {
  if (cfg.server.startsWith('http:')) {
    expect(cfg.credentials.kind).toBe('none');
    expect(cfg.clientCertificate).toBeUndefined();
    expect(cfg.tls.insecureSkipTlsVerify).toBe(false);
  }
  const imp = cfg.impersonate;
  for (const v of [imp?.user, imp?.uid, ...(imp?.groups ?? []), ...Object.values(imp?.extra ?? {}).flat()]) {
    if (v !== undefined) expect(headerValueProblem(v)).toBeUndefined();
  }
}

describe('kubeconfig parsing and resolution, property-based', () => {
  it('any JSON-like value: parseKubeconfig gives a kubeconfig or a ConfigError', () => {
    fc.assert(fc.property(fc.anything({ maxDepth: 4 }), (v) => typedOrResult(() => parseKubeconfig(v as object))), { numRuns: 1000 });
  });

  it('any text: parseKubeconfig gives a kubeconfig or a ConfigError', () => {
    const yamlish = fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(':', '- ', '\n', '  ', '{', '}', '[', ']', '&a', '*a', '!!binary', '---', '...', '"', "'", '#', 'clusters:', 'users:', 'name: ', '<<: ')), { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish), (t) => typedOrResult(() => parseKubeconfig(t, '/virtual/k'))), { numRuns: 1000 });
  });

  it('kubeconfig-shaped documents with hostile values: resolution gives a ClusterConfig or a ConfigError, and keeps its promises', async () => {
    await fc.assert(
      fc.asyncProperty(docArb, fc.record({ context: nasty, user: nasty, cluster: nasty }, { requiredKeys: [] }), async (doc, selection) => {
        const cfg = await resolveOrTyped(doc, selection);
        if (cfg) checkPromises(cfg);
      }),
      { numRuns: 1500 },
    );
  });

  it('mostly valid documents with hostile fields: a ClusterConfig (often) or a ConfigError, never anything else', async () => {
    let resolved = 0;
    await fc.assert(
      fc.asyncProperty(mostlyValidDoc, async (doc) => {
        const cfg = await resolveOrTyped(doc, {});
        if (cfg) {
          resolved++;
          checkPromises(cfg);
        }
      }),
      { numRuns: 1500 },
    );
    // The generator must exercise the success path too, not only the refusals.
    expect(resolved).toBeGreaterThan(300);
  });

  it('a well-formed document resolves, whatever the names (empty ones included)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), fc.boolean(), async (ctx, cluster, user, secure) => {
        const doc = {
          'current-context': ctx,
          clusters: [{ name: cluster, cluster: { server: secure ? 'https://127.0.0.1:6443' : 'http://127.0.0.1:8080', ...(secure ? { 'certificate-authority-data': b64(pki.caCert) } : {}) } }],
          users: [{ name: user, user: { token: 'tok' } }],
          contexts: [{ name: ctx, context: { cluster, user } }],
        };
        const cfg = await resolveKubeconfig(mergeKubeconfigs([{ config: parseKubeconfig(doc) }]));
        expect(cfg.credentials.kind).toBe(secure ? 'token' : 'none');
        checkPromises(cfg);
      }),
      { numRuns: 300 },
    );
  });
});
