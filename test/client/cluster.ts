/**
 * Integration test helpers: the real local control plane started by test/global-setup.ts
 * (or named by KUBEFLUENT_TEST_KUBECONFIG). Nothing here mocks the API server.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { ClientOptions } from '../../src/client/kube.js';
import { Kube } from '../../src/kube.js';

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function adminKubeconfig(): string {
  const p = env('KUBEFLUENT_TEST_KUBECONFIG');
  if (!p) throw new Error('KUBEFLUENT_TEST_KUBECONFIG is not set: run through the integration project (test/global-setup.ts)');
  return p;
}

export function restrictedKubeconfig(): string {
  return env('KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG') ?? join(dirname(adminKubeconfig()), 'restricted.kubeconfig');
}

interface RawConfig {
  clusters: { cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
  users: { user: { token?: string } }[];
}

function raw(path: string): RawConfig {
  return parse(readFileSync(path, 'utf8')) as RawConfig;
}

export function server(): string {
  return env('KUBEFLUENT_TEST_SERVER') ?? raw(adminKubeconfig()).clusters[0]!.cluster.server;
}

/** The cluster CA in PEM. */
export function caPem(): string {
  const file = env('KUBEFLUENT_TEST_CA_FILE');
  if (file) return readFileSync(file, 'utf8');
  const c = raw(adminKubeconfig()).clusters[0]!.cluster;
  if (c['certificate-authority-data']) return Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8');
  return readFileSync(c['certificate-authority']!, 'utf8');
}

/** The restricted user's bearer token (to scan outputs for it). */
export function restrictedToken(): string {
  return raw(restrictedKubeconfig()).users[0]!.user.token ?? '';
}

/** Set KUBEFLUENT_TEST_DEBUG_FILE to trace every request (redacted) while investigating a failure. */
function traceTo(): ClientOptions {
  const file = env('KUBEFLUENT_TEST_DEBUG_FILE');
  if (!file) return {};
  return { onDebug: (e) => appendFileSync(file, `${new Date().toISOString()} ${JSON.stringify({ ...e, headers: undefined })}\n`) };
}

export function adminKube(options: ClientOptions = {}): Promise<Kube> {
  return Kube.connect({ kubeconfig: adminKubeconfig(), fieldManager: 'kubefluent-test', ...traceTo(), ...options });
}

/** A fresh, unique name for this run. */
export function uid(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Runs the real kubectl against the admin kubeconfig. */
export function kubectl(args: readonly string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', adminKubeconfig(), ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Compacts etcd up to its current revision (expires old continue tokens). */
export async function compactEtcd(): Promise<void> {
  const url = env('KUBEFLUENT_TEST_ETCD_URL');
  if (!url) throw new Error('KUBEFLUENT_TEST_ETCD_URL is not set');
  const range = await fetch(`${url}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64'), limit: 1 }) });
  const revision = ((await range.json()) as { header?: { revision?: string } }).header?.revision ?? '0';
  const res = await fetch(`${url}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
  if (!res.ok) throw new Error(`etcd compaction failed: ${res.status}`);
}
