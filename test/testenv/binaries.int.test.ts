// Integration: the Go toolchain and the binary cache (real `go build` of etcd from the module cache).
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, ensureComponent, TestEnvError, type BuildProgress } from '../../testenv/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'kubefluent-cache-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('binary cache', () => {
  it('says plainly what to install when Go is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await ensureComponent('etcd', { cacheDir: join(scratch, 'empty') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TestEnvError);
      expect((err as TestEnvError).component).toBe('go');
      expect((err as Error).message).toMatch(/`go` was not found on PATH\. Install Go >= 1\.26/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('rebuilds a corrupt cache entry instead of running it', async () => {
    const shared = await ensureComponent('etcd');
    const cacheDir = join(scratch, 'corrupt');
    const entry = join(cacheDir, shared.split('/').pop()!);
    cpSync(shared, entry, { recursive: true });
    truncateSync(join(entry, 'etcd'), 1000);
    const events: BuildProgress[] = [];
    const dir = await ensureComponent('etcd', { cacheDir, onProgress: (p) => events.push(p) });
    expect(dir).toBe(entry);
    expect(events.map((e) => e.phase)).toContain('built');
    // the second call trusts the repaired entry
    const again: BuildProgress[] = [];
    await ensureComponent('etcd', { cacheDir, onProgress: (p) => again.push(p) });
    expect(again.map((e) => e.phase)).toEqual(['cached']);
    expect(readdirSync(cacheDir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('keeps the shared cache outside the clone, keyed by version', () => {
    expect(defaultCacheDir().startsWith(process.cwd())).toBe(false);
    const names = readdirSync(defaultCacheDir());
    expect(names.some((n) => /^kubernetes-v1\.37\.2-[0-9a-f]{12}$/.test(n))).toBe(true);
    expect(existsSync(join(defaultCacheDir(), names.find((n) => n.startsWith('kubernetes-'))!, 'manifest.json'))).toBe(true);
  });
});
