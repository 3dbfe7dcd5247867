// Issue 12 item 5 (plugin side): a failing plugin's stderr reaches the error only as a short,
// scrubbed excerpt. The plugin is a real child process printing what real plugins have been
// seen to print: cloud keys, client secrets, the kubeconfig's own env values, tokens, keys.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExecCredentials } from '../../src/config/exec-credential.js';
import { STDERR_EXCERPT, stderrExcerpt } from '../../src/config/plugin-output.js';
import { AuthPluginError } from '../../src/core/errors.js';

const SECRETS = {
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  awsKeyId: 'AKIAIOSFODNN7EXAMPLE',
  clientSecret: 'cs-9f8e7d6c5b4a',
  envValue: 'env-value-from-kubeconfig-77',
  shortEnv: 'hunter2',
  bearer: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  password: 'P@ssw0rd!',
  hex: 'deadbeefcafebabe0123456789abcdef',
  flag: 'flagSecretValue1',
};

function plugin(stderr: string, code = 1): string {
  const dir = mkdtempSync(join(tmpdir(), 'kf-leak-'));
  const p = join(dir, 'plugin.sh');
  writeFileSync(join(dir, 'stderr.txt'), stderr);
  writeFileSync(p, `#!/bin/sh\ncat "${join(dir, 'stderr.txt')}" >&2\nexit ${code}\n`);
  chmodSync(p, 0o755);
  return p;
}

function everyView(err: unknown): string {
  return [String(err), (err as Error).message, inspect(err, { depth: 5 }), JSON.stringify(err), String((err as Error).cause ?? '')].join('\n');
}

describe('hostile: a failing plugin never leaks secrets through its error (issue 12 item 5)', () => {
  it('secrets printed to stderr are removed; the useful line survives; the excerpt is bounded', async () => {
    const noise = Array.from({ length: 2000 }, (_, i) => `debug line ${i}`).join('\n');
    const stderr = `${noise}
\u001b[31mAn error occurred (ExpiredToken)\u001b[0m
aws_secret_access_key=${SECRETS.awsSecret}
AWS_ACCESS_KEY_ID: ${SECRETS.awsKeyId}
POST https://login.example/token?grant_type=refresh_token&client_secret=${SECRETS.clientSecret}&x=1
using profile ${SECRETS.envValue} and ${SECRETS.shortEnv}
Authorization: Bearer ${SECRETS.bearer}
{"password": "${SECRETS.password}"}
request id ${SECRETS.hex}
exec: kubelogin --client-secret ${SECRETS.flag}
error: you must log in again (run: aws sso login)
`;
    const p = new ExecCredentials(
      { apiVersion: 'client.authentication.k8s.io/v1', command: plugin(stderr), interactiveMode: 'Never', env: [{ name: 'AWS_PROFILE', value: SECRETS.envValue }, { name: 'PW', value: SECRETS.shortEnv }] },
    );
    const err = await p.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthPluginError);
    const all = everyView(err);
    for (const [name, secret] of Object.entries(SECRETS)) expect(all, `${name} leaked`).not.toContain(secret);
    expect((err as Error).message).toContain('error: you must log in again (run: aws sso login)');
    expect((err as Error).message).not.toContain('debug line 1000');
    expect((err as Error).message).not.toContain('\u001b');
    expect((err as Error).message.length).toBeLessThan(STDERR_EXCERPT.chars + 200);
  });

  it('a spawn failure keeps only the error code as its cause (argv may hold secrets)', async () => {
    const p = new ExecCredentials({ apiVersion: 'client.authentication.k8s.io/v1', command: 'kubefluent-test-missing', args: ['--token', SECRETS.flag], interactiveMode: 'Never' });
    const err = await p.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthPluginError);
    expect(everyView(err)).not.toContain(SECRETS.flag);
    expect(((err as Error).cause as { code?: string }).code).toBe('ENOENT');
  });

  it('stderr built to make a regular expression backtrack (64 KB of key/secret/PEM openers) is scrubbed without hanging', () => {
    const hostile = ['key'.repeat(21_000), 'secret_'.repeat(9000), '-----BEGIN A-----'.repeat(3800), 'token:"'.repeat(9000), '--key '.repeat(10_000), '\u001b]'.repeat(30_000)];
    const started = Date.now();
    for (const h of hostile) {
      const out = stderrExcerpt(`${h}\n${h}\nerror: last line`);
      expect(out.endsWith('error: last line')).toBe(true);
      expect(out.length).toBeLessThanOrEqual(STDERR_EXCERPT.chars + 1);
    }
    // Generous: the point is "no catastrophic backtracking" (that took minutes), not speed.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('property: whatever surrounds them, injected secrets never survive and the excerpt stays bounded', () => {
    const secretArb = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9+/]{40}$/), // cloud secret keys
      fc.stringMatching(/^[0-9a-f]{32,64}$/), // hex keys
      fc.stringMatching(/^[A-Za-z0-9_-]{20,40}\.[A-Za-z0-9_-]{20,40}\.[A-Za-z0-9_-]{20,40}$/), // JWTs
    ).filter((s) => /[0-9]/.test(s) && /[A-Za-z]/.test(s));
    const valueArb = fc.stringMatching(/^[A-Za-z0-9!@#$%^*()_+.~-]{4,30}$/);
    const keyArb = fc.constantFrom('password', 'client_secret', 'AWS_SECRET_ACCESS_KEY', 'api-key', 'x-auth-token', 'session_token', 'Credential');
    const textArb = fc.string({ maxLength: 200 }).map((s) => s.replace(/[A-Za-z0-9]{3,}/g, ' '));
    fc.assert(
      fc.property(textArb, secretArb, keyArb, valueArb, fc.constantFrom('=', ': ', ' = ', '":"'), textArb, valueArb, (pre, secret, key, value, sep, post, envValue) => {
        const stderr = `${pre}\n${secret}\n${key}${sep}${value}\nprofile ${envValue} used\n${post}`;
        const out = stderrExcerpt(stderr, [envValue]);
        expect(out).not.toContain(secret);
        expect(out).not.toContain(envValue);
        if (value.length >= 4 && !'<redacted>'.includes(value)) expect(out.includes(`${key}${sep}${value}`)).toBe(false);
        expect(out.length).toBeLessThanOrEqual(STDERR_EXCERPT.chars + 1);
      }),
      { numRuns: 500 },
    );
  });
});
