/** The kubeconfig files the test environment writes: one per user, with the throwaway CA inline. */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { CertPair } from './pki.js';

export function kubeconfigYaml(server: string, caFile: string, user: Record<string, unknown>, userName: string, namespace?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubefluent-testenv', cluster: { server, 'certificate-authority-data': b64(readFileSync(caFile)) } }],
    users: [{ name: userName, user }],
    contexts: [
      {
        name: userName === 'admin' ? 'kubefluent-testenv' : `kubefluent-testenv-${userName}`,
        context: { cluster: 'kubefluent-testenv', user: userName, ...(namespace ? { namespace } : {}) },
      },
    ],
    'current-context': userName === 'admin' ? 'kubefluent-testenv' : `kubefluent-testenv-${userName}`,
  });
}

export function certUser(pair: CertPair): Record<string, unknown> {
  return {
    'client-certificate-data': b64(readFileSync(pair.certFile)),
    'client-key-data': b64(readFileSync(pair.keyFile)),
  };
}

function b64(buf: Buffer): string {
  return buf.toString('base64');
}
