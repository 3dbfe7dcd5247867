// Unit: the pure parts of the ApplySet support (the id and the parent reference syntax).
// The id is checked against kubectl's own in test/ops/applyset-kubectl.int.test.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applySetId, groupKindString, parseApplySetParent } from '../../src/ops/applyset.js';
import { UsageError } from '../../src/core/errors.js';

describe('applySetId', () => {
  it('is applyset-<base64url, unpadded, of sha256("name.namespace.Kind.group")>-v1', () => {
    const id = applySetId({ name: 'web', namespace: 'prod', kind: 'Secret' });
    const b64 = createHash('sha256').update('web.prod.Secret.').digest('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(id).toBe(`applyset-${b64}-v1`);
    expect(id).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/); // a valid label value (<= 63 chars)
    expect(applySetId({ name: 'web', namespace: 'prod', kind: 'ConfigMap' })).not.toBe(id);
  });
});

describe('parseApplySetParent', () => {
  it("reads kubectl's --applyset syntax", () => {
    expect(parseApplySetParent('app', 'ns')).toEqual({ kind: 'Secret', name: 'app', namespace: 'ns' });
    expect(parseApplySetParent('secrets/app', 'ns')).toEqual({ kind: 'Secret', name: 'app', namespace: 'ns' });
    expect(parseApplySetParent('configmaps/app', 'ns')).toEqual({ kind: 'ConfigMap', name: 'app', namespace: 'ns' });
  });
  it('names the fix for an unsupported parent or an empty name', () => {
    expect(() => parseApplySetParent('widgets.example.com/app', 'ns')).toThrow(UsageError);
    expect(() => parseApplySetParent('widgets.example.com/app', 'ns')).toThrow(/Secret or a ConfigMap/);
    expect(() => parseApplySetParent('secrets/', 'ns')).toThrow(/parent name is empty/);
  });
  it('writes group-kinds as Go does', () => {
    expect(groupKindString('', 'ConfigMap')).toBe('ConfigMap');
    expect(groupKindString('apps', 'Deployment')).toBe('Deployment.apps');
  });
});
