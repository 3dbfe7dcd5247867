/**
 * Removed API versions are named as such, from the table kept next to the generated spec, and
 * the table agrees with the spec: nothing it calls removed is served by the pinned release, and
 * every replacement it names is.
 */
import { describe, expect, it } from 'vitest';
import { kindSchemaNames } from '../../generated/schemas.js';
import { removedApis } from '../../src/core/removed-apis.js';
import { loadSchemas, validate } from '../../src/core/validation.js';

describe('removed API versions', () => {
  it('are reported as removed, with the version to use', async () => {
    await loadSchemas();
    const cases: [string, string, RegExp][] = [
      ['batch/v1beta1', 'CronJob', /CronJob batch\/v1beta1 was removed in Kubernetes 1\.25; use apiVersion batch\/v1/],
      ['networking.k8s.io/v1beta1', 'Ingress', /removed in Kubernetes 1\.22; use apiVersion networking\.k8s\.io\/v1 \(.*pathType/],
      ['policy/v1beta1', 'PodSecurityPolicy', /removed in Kubernetes 1\.25 \(.*Pod Security Admission/],
      ['extensions/v1beta1', 'Deployment', /removed in Kubernetes 1\.16; use apiVersion apps\/v1/],
      ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', /removed in Kubernetes 1\.32; use apiVersion flowcontrol\.apiserver\.k8s\.io\/v1/],
      // The group/version is still served (for other kinds): the removed kind is still named as removed.
      ['certificates.k8s.io/v1beta1', 'CertificateSigningRequest', /removed in Kubernetes 1\.22; use apiVersion certificates\.k8s\.io\/v1/],
      ['coordination.k8s.io/v1beta1', 'Lease', /removed in Kubernetes 1\.22; use apiVersion coordination\.k8s\.io\/v1/],
    ];
    for (const [apiVersion, kind, message] of cases) {
      const r = validate({ apiVersion, kind, metadata: { name: 'x' } });
      expect(r.ok).toBe(false);
      expect(r.checked).toBe(true);
      expect(r.issues).toEqual([{ path: 'apiVersion', message: expect.stringMatching(message) }]);
    }
  });

  it('agree with the generated spec of the pinned release', () => {
    const served = new Set(Object.keys(kindSchemaNames));
    const all = removedApis();
    expect(all.length).toBe(49);
    for (const { apiVersion, kind, removal } of all) {
      expect(served.has(`${apiVersion}/${kind}`), `${apiVersion} ${kind} is served by the pinned release`).toBe(false);
      if (removal.use) expect(served.has(`${removal.use}/${kind}`), `${removal.use} ${kind} (the replacement) is served`).toBe(true);
      else expect(removal.note).toBeTruthy();
    }
  });
});
