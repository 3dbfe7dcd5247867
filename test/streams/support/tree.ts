/** Local trees for the cp tests: build one, and digest one (path → sha256 / link target / dir). */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** relative path → sha256 of a file, '->target' of a symlink, 'dir' (and the mode bits, when asked). */
export function digest(root: string, withModes = false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    const st = lstatSync(p);
    const rel = relative(root, p) || '.';
    const mode = withModes ? ` ${(st.mode & 0o777).toString(8)}` : '';
    if (st.isSymbolicLink()) out[rel] = `->${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      out[rel] = 'dir';
      for (const n of readdirSync(p)) walk(join(p, n));
    } else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex') + mode;
  };
  walk(root);
  return out;
}

/** `files` files in nested directories, sizes 0–40 KiB (deterministic), some executable, and a relative symlink. */
export function makeTree(root: string, files: number): void {
  mkdirSync(root, { recursive: true });
  for (let i = 0; i < files; i++) {
    const dir = join(root, `d${i % 10}`, `e${Math.floor(i / 10) % 10}`);
    mkdirSync(dir, { recursive: true });
    const size = (i * 7919) % 40_000;
    const buf = Buffer.alloc(size);
    for (let j = 0; j < size; j++) buf[j] = (i * 31 + j * 17) & 0xff;
    const file = join(dir, `file-${i}${i % 97 === 0 ? '-with a long name '.repeat(6) : ''}.bin`);
    writeFileSync(file, buf);
    if (i % 50 === 0) chmodSync(file, 0o755);
  }
  symlinkSync('d0/e0/file-0-with a long name -with a long name -with a long name -with a long name -with a long name -with a long name .bin', join(root, 'link-to-first'));
}
