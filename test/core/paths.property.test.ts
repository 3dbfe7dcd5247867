// core: request paths. Every segment (group, version, plural, namespace, name, subresource)
// is checked or percent-encoded, so no input adds a segment, starts a query or is sent raw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { resourcePath } from '../../src/core/paths.js';
import { fieldSelector, formatFieldSelector } from '../../src/core/selectors.js';

const nasty = fc.oneof(
  fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('..', '.', '', 'v1?x=1', 'a/b', 'a\\b', 'ä', 'a b', 'a#b', 'a%2Fb', '../../../api/v1/secrets', 'V1', 'evil.example/v1/..', 'x\r\nHost: y', 'system:masters', 'a@b'),
);
const good = fc.constantFrom('apps', 'stable.example.com', 'v1', 'v1beta1', 'crontabs', 'status', 'web', 'app-1');

function expectSafe(path: string, segments: number): void {
  expect(path.startsWith('/api/') || path.startsWith('/apis/')).toBe(true);
  expect(path).not.toMatch(/[?#\\\s]/);
  expect(path).toMatch(/^[\x21-\x7e]+$/);
  const parts = path.split('/').slice(1);
  expect(parts.length).toBe(segments);
  for (const p of parts) {
    expect(p).not.toBe('');
    expect(decodeURIComponent(p)).not.toMatch(/^\.\.?$|[/\\]/);
  }
}

describe('resourcePath (property)', () => {
  it('any group, version, plural, namespace, name and subresource: a safe path or UsageError', () => {
    fc.assert(fc.property(
      fc.oneof(good, nasty, fc.constant('')), fc.oneof(good, nasty), fc.oneof(good, nasty), fc.oneof(good, nasty), fc.oneof(good, nasty), fc.oneof(good, nasty),
      (group, version, plural, namespace, name, subresource) => {
        const info = { group, version, plural, namespaced: true };
        let path: string;
        try {
          path = resourcePath(info, { namespace, name, subresource });
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          return;
        }
        expectSafe(path, (group === '' ? 2 : 3) + 5);
        // The name and namespace decode back to exactly what was given.
        const parts = path.split('/');
        expect(decodeURIComponent(parts.at(-2)!)).toBe(name);
        expect(decodeURIComponent(parts.at(-4)!)).toBe(namespace);
        expect(parts.at(-5)).toBe('namespaces');
      },
    ), { numRuns: 2000 });
  });

  it('rejects the traversals and injections a hostile CRD spec carries', () => {
    const bad = [
      { group: 'evil.example', version: 'v1/../../../api/v1/secrets', plural: 'x' },
      { group: 'evil.example/v1/../../../api/v1', version: 'v1', plural: 'secrets' },
      { group: 'evil.example', version: 'v1?x=1', plural: 'x' },
      { group: 'evil.example', version: 'v1', plural: 'a\\b' },
      { group: 'évil.example', version: 'v1', plural: 'x' },
      { group: 'evil.example', version: 'v1', plural: '..' },
    ];
    for (const b of bad) expect(() => resourcePath({ ...b, namespaced: false })).toThrow(UsageError);
    expect(() => resourcePath({ group: 'x.io', version: 'v1', plural: 'y', namespaced: true }, { namespace: 'a', name: 'b', subresource: '../../c' })).toThrow(/invalid subresource/);
    // Names outside the plain set are encoded, not sent raw.
    expect(resourcePath({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false }, { name: 'system:controller:x' }))
      .toBe('/apis/rbac.authorization.k8s.io/v1/clusterroles/system:controller:x');
    expect(resourcePath({ group: '', version: 'v1', plural: 'configmaps', namespaced: true }, { namespace: 'web', name: 'ä<x>' }))
      .toBe('/api/v1/namespaces/web/configmaps/%C3%A4%3Cx%3E');
  });
});

describe('field selectors (property)', () => {
  it('a map key can never add a term; values are escaped', () => {
    expect(() => formatFieldSelector({ 'metadata.name=x,spec.nodeName': 'n' })).toThrow(UsageError);
    expect(() => fieldSelector().eq('a!', 'b')).toThrow(/invalid field selector key/);
    fc.assert(fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (k, v) => {
      let s: string;
      try {
        s = formatFieldSelector({ [k]: v });
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return;
      }
      // Exactly one term: no unescaped ',' and the key is what was given.
      expect(s.split(/(?<!\\),/).length).toBe(1);
      expect(s.startsWith(`${k}=`)).toBe(true);
    }), { numRuns: 1000 });
  });
});
