// Unit: the tar reader/writer (GNU tar as the oracle both ways) and safe extraction of
// hostile archives: nothing may be written outside the destination, and a refused archive
// leaves nothing behind (no partial tree, no staging directory).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CopyError } from '../../src/streams/errors.js';
import { extractTar, safeRelative } from '../../src/streams/tar-extract.js';
import { readTar, writeTar, type TarInput } from '../../src/streams/tar.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kf-tar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function* once(b: Buffer): AsyncGenerator<Uint8Array> {
  yield b;
}

/** A tree digest: relative path → sha256 (files), '->target' (symlinks), 'dir'. */
function digest(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    const st = lstatSync(p);
    const rel = relative(root, p) || '.';
    if (st.isSymbolicLink()) out[rel] = `->${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      out[rel] = 'dir';
      for (const n of readdirSync(p)) walk(join(p, n));
    } else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
  };
  walk(root);
  return out;
}

/** A raw ustar header for hostile archives our writer would never make. */
function rawHeader(name: string, flag: string, size = 0, link = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write(flag, 156);
  h.write(link, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function archive(...entries: [string, string, string?, string?][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, flag, body = '', link = ''] of entries) {
    parts.push(rawHeader(name, flag, flag === '0' ? Buffer.byteLength(body) : 0, link));
    if (flag === '0' && body) {
      const b = Buffer.from(body);
      parts.push(b, Buffer.alloc((512 - (b.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

describe('tar format', () => {
  it('writes what GNU tar extracts byte for byte (long names, symlinks, empty and large files)', async () => {
    const long = `${'d'.repeat(60)}/${'n'.repeat(90)}.txt`;
    const files: TarInput[] = [
      { path: 'root', type: 'directory', mode: 0o755 },
      { path: 'root/empty', type: 'file', mode: 0o600, size: 0, body: async function* () {} },
      { path: 'root/big.bin', type: 'file', mode: 0o640, size: 300_000, body: async function* () { yield Buffer.alloc(300_000, 9); } },
      { path: `root/${long.split('/')[0]}`, type: 'directory', mode: 0o755 },
      { path: `root/${long}`, type: 'file', mode: 0o644, size: 5, body: async function* () { yield Buffer.from('hello'); } },
      { path: 'root/link', type: 'symlink', mode: 0o777, linkpath: 'big.bin' },
    ];
    const tar = await collect(writeTar(files));
    expect(tar.length % 10240).toBe(0);
    writeFileSync(join(dir, 'a.tar'), tar);
    mkdirSync(join(dir, 'out'));
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', join(dir, 'out')]);
    expect(readFileSync(join(dir, 'out/root', long), 'utf8')).toBe('hello');
    expect(readFileSync(join(dir, 'out/root/big.bin')).equals(Buffer.alloc(300_000, 9))).toBe(true);
    expect(readlinkSync(join(dir, 'out/root/link'))).toBe('big.bin');
    expect(lstatSync(join(dir, 'out/root/empty')).mode & 0o777).toBe(0o600);
  });

  it('reads what GNU tar writes (pax and GNU long names), into an identical tree', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'a'.repeat(120), 'b'), { recursive: true });
    writeFileSync(join(src, 'a'.repeat(120), 'b', 'f'.repeat(120)), 'deep');
    writeFileSync(join(src, 'x.bin'), Buffer.alloc(70_000, 3));
    symlinkSync('x.bin', join(src, 'ln'));
    for (const format of ['gnu', 'pax', 'ustar']) {
      if (format === 'ustar') continue; // ustar cannot hold a 120-byte name component
      const tar = execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', dir, 'src'], { maxBuffer: 1 << 26 });
      const dest = join(dir, `out-${format}`);
      const r = await extractTar(once(tar), dest, { root: 'src' });
      expect(digest(dest)).toEqual(digest(src));
      expect(r.files).toBe(2);
      expect(r.symlinks).toBe(1);
    }
  });

  it('round-trips any set of names and contents (property)', async () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/).filter((s) => s !== '.' && s !== '..');
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.tuple(fc.array(name, { minLength: 1, maxLength: 5 }), fc.uint8Array({ maxLength: 3000 })), { maxLength: 8, selector: ([p]) => p.join('/') }),
      async (entries) => {
        const inputs: TarInput[] = entries.map(([segs, data]) => ({ path: segs.join('/'), type: 'file', mode: 0o644, size: data.length, body: async function* () { yield data; } }));
        const tar = await collect(writeTar(inputs));
        const back: [string, Buffer][] = [];
        for await (const e of readTar(once(tar))) back.push([e.header.path, await collect(e.body)]);
        expect(back.map(([p]) => p)).toEqual(inputs.map((i) => i.path));
        back.forEach(([, b], i) => expect(b.equals(Buffer.from(entries[i]![1]))).toBe(true));
      },
    ), { numRuns: 50 });
  });

  it('refuses garbage with MalformedTar, never anything else', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => {
      const b = Buffer.from(bytes);
      if (b.every((v) => v === 0)) return;
      const err = await (async () => {
        for await (const e of readTar(once(b))) await collect(e.body);
      })().then(() => undefined, (e: unknown) => e);
      if (err !== undefined) expect((err as CopyError).reason).toBe('MalformedTar');
    }), { numRuns: 200 });
  });
});

describe('safe extraction of hostile archives', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['path traversal', archive(['root/', '5'], ['root/../../evil', '0', 'x']), /'\.\.' in the path/],
    ['an absolute path', archive(['/tmp/evil', '0', 'x']), /absolute path/],
    ['an entry outside the copied root', archive(['root/', '5'], ['other/evil', '0', 'x']), /outside the copied path/],
    ['a symlink pointing out', archive(['root/', '5'], ['root/ln', '2', '', '../../etc']), /points outside/],
    ['an absolute symlink', archive(['root/', '5'], ['root/ln', '2', '', '/etc/passwd']), /absolute path/],
    ['a write through an earlier symlink', archive(['root/', '5'], ['root/ln', '2', '', '.'], ['root/ln/x', '0', 'x']), /is a symlink/],
    ['a hard link to a file outside', archive(['root/', '5'], ['root/hl', '1', '', '/etc/passwd']), /absolute path/],
    ['a hard link to a path outside the root', archive(['root/', '5'], ['root/hl', '1', '', 'other/f']), /outside the copied path/],
    ['a device', archive(['root/', '5'], ['root/dev', '3']), /not copied/],
    ['a fifo', archive(['root/', '5'], ['root/fifo', '6']), /not copied/],
  ];
  it.each(cases)('refuses %s and leaves nothing behind', async (_name, tar, why) => {
    const dest = join(dir, 'dest');
    const err = await extractTar(once(tar), dest, { root: 'root' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyError);
    expect((err as CopyError).reason).toBe('UnsafeTarEntry');
    expect((err as CopyError).message).toMatch(why);
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, '..', 'evil'))).toBe(false);
  });

  it('keeps symlinks that stay inside and hard links to extracted files', async () => {
    const tar = archive(['root/', '5'], ['root/a', '0', 'data'], ['root/sub/', '5'], ['root/sub/ln', '2', '', '../a'], ['root/hl', '1', '', 'root/a']);
    const dest = join(dir, 'dest');
    await extractTar(once(tar), dest, { root: 'root' });
    expect(readFileSync(join(dest, 'sub/ln'), 'utf8')).toBe('data');
    expect(readFileSync(join(dest, 'hl'), 'utf8')).toBe('data');
  });

  it('normalises entry paths (./ and duplicate slashes) and refuses NUL', () => {
    expect(safeRelative('./root//a/./b', 'root')).toEqual(['a', 'b']);
    expect(safeRelative('root/', 'root')).toBeUndefined();
    expect(() => safeRelative('root/a\0b', 'root')).toThrow(CopyError);
    expect(() => safeRelative('C:\\windows', 'root')).toThrow(/absolute/);
  });

  it('refuses a truncated archive and leaves nothing behind', async () => {
    const whole = archive(['root/', '5'], ['root/a', '0', 'x'.repeat(2000)]);
    const dest = join(dir, 'dest');
    const err = await extractTar(once(whole.subarray(0, 1200)), dest, { root: 'root' }).catch((e: unknown) => e);
    expect((err as CopyError).reason).toBe('MalformedTar');
    expect(readdirSync(dir)).toEqual([]);
  });
});
