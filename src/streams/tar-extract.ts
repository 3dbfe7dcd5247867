/**
 * Safe extraction of a tar stream into a local path, for `cp` from a pod. A tar stream from
 * a container is untrusted input: no entry may write outside the destination. Refused
 * (CopyError UnsafeTarEntry, and nothing is left behind): absolute paths, `..` segments,
 * entries outside the copied root, symlinks whose target resolves outside the destination,
 * hard links to anything but an extracted file, writes through a symlink an earlier entry
 * made, devices and fifos. Everything is extracted into a staging directory next to the
 * destination and moved into place only when the whole stream was good.
 */
import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, mkdtemp, readdir, rename, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { AbortedError } from '../core/errors.js';
import { CopyError } from './errors.js';
import { readTar } from './tar.js';

export interface ExtractOptions {
  /**
   * The archive's top-level name that becomes `destination` (`tar cf - -C /dir name` gives
   * entries `name`, `name/…`). Entries not under it are refused.
   */
  readonly root: string;
  readonly signal?: AbortSignal;
}

export interface ExtractResult {
  readonly files: number;
  readonly directories: number;
  readonly symlinks: number;
  readonly bytes: number;
}

/** The `path` of the CopyError for an archive without entries. */
export const EMPTY_ARCHIVE = '(empty archive)';

function unsafe(path: string, why: string): CopyError {
  return new CopyError(`refusing tar entry ${JSON.stringify(path)}: ${why}`, 'UnsafeTarEntry', { path });
}

/** The entry's path relative to the root, as safe segments; undefined for the root itself. */
export function safeRelative(entryPath: string, root: string): string[] | undefined {
  if (entryPath.includes('\0')) throw unsafe(entryPath, 'NUL in the path');
  if (entryPath.startsWith('/') || /^[A-Za-z]:[\\/]/.test(entryPath) || entryPath.startsWith('\\')) throw unsafe(entryPath, 'absolute path');
  const segs = entryPath.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segs.includes('..')) throw unsafe(entryPath, "'..' in the path");
  const rootSegs = root.split('/').filter((s) => s !== '' && s !== '.');
  if (rootSegs.length === 0) return segs.length === 0 ? undefined : segs;
  for (let i = 0; i < rootSegs.length; i++) if (segs[i] !== rootSegs[i]) throw unsafe(entryPath, `outside the copied path ${JSON.stringify(root)}`);
  const rest = segs.slice(rootSegs.length);
  return rest.length === 0 ? undefined : rest;
}

function inside(base: string, target: string): boolean {
  const r = relative(base, target);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** Refuses when any existing parent of `target` (below `base`) is a symlink. */
async function noSymlinkParents(base: string, segs: readonly string[], entryPath: string): Promise<void> {
  let at = base;
  for (const s of segs.slice(0, -1)) {
    at = join(at, s);
    const st = await lstat(at).catch(() => undefined);
    if (!st) return;
    if (st.isSymbolicLink()) throw unsafe(entryPath, `its parent ${JSON.stringify(relative(base, at))} is a symlink`);
    if (!st.isDirectory()) throw unsafe(entryPath, `its parent ${JSON.stringify(relative(base, at))} is not a directory`);
  }
}

/** Extracts `source` (a tar stream) so that the archive's `root` becomes `destination`. */
export async function extractTar(source: AsyncIterable<Uint8Array>, destination: string, options: ExtractOptions): Promise<ExtractResult> {
  const dest = resolve(destination);
  await mkdir(dirname(dest), { recursive: true });
  const staging = await mkdtemp(join(dirname(dest), '.kubefluent-cp-'));
  // The staged copy of the root; the destination's name decides where it lands.
  const top = join(staging, 'root');
  const dirModes: [string, number][] = [];
  const result = { files: 0, directories: 0, symlinks: 0, bytes: 0 };
  let rootIsFile = false;
  let entries = 0;
  try {
    for await (const { header, body } of readTar(source)) {
      if (options.signal?.aborted) throw new AbortedError(`cp to ${destination}`, options.signal.reason);
      entries++;
      const segs = safeRelative(header.path, options.root);
      const target = segs ? join(top, ...segs) : top;
      if (!inside(top, target)) throw unsafe(header.path, 'outside the destination');
      await noSymlinkParents(top, segs ?? [], header.path);
      if (segs) await mkdir(dirname(target), { recursive: true });
      switch (header.type) {
        case 'directory':
          await mkdir(target, { recursive: true });
          dirModes.push([target, header.mode & 0o777]);
          result.directories++;
          break;
        case 'file': {
          const existing = await lstat(target).catch(() => undefined);
          if (existing?.isDirectory()) throw unsafe(header.path, 'a file entry over a directory');
          if (existing) await unlink(target);
          // 'wx': never follows or reuses what is there (O_CREAT|O_EXCL).
          await pipeline(Readable.from(body), createWriteStream(target, { flags: 'wx', mode: 0o600 }));
          await chmod(target, header.mode & 0o777);
          if (!segs) rootIsFile = true;
          result.files++;
          result.bytes += header.size;
          break;
        }
        case 'symlink': {
          if (!segs) throw unsafe(header.path, 'the copied root is a symlink');
          if (isAbsolute(header.linkpath) || header.linkpath.startsWith('\\')) throw unsafe(header.path, `symlink to the absolute path ${JSON.stringify(header.linkpath)}`);
          if (!inside(top, resolve(dirname(target), header.linkpath))) throw unsafe(header.path, `symlink ${JSON.stringify(header.linkpath)} points outside the destination`);
          const existing = await lstat(target).catch(() => undefined);
          if (existing) throw unsafe(header.path, 'a symlink entry over an existing entry');
          await symlink(header.linkpath, target);
          result.symlinks++;
          break;
        }
        case 'hardlink': {
          if (!segs) throw unsafe(header.path, 'the copied root is a hard link');
          const linkSegs = safeRelative(header.linkpath, options.root);
          if (!linkSegs) throw unsafe(header.path, 'hard link to the copied root');
          await noSymlinkParents(top, linkSegs, header.linkpath);
          const from = join(top, ...linkSegs);
          const st = await lstat(from).catch(() => undefined);
          if (!st?.isFile()) throw unsafe(header.path, `hard link to ${JSON.stringify(header.linkpath)}, which is not an extracted file`);
          if (await lstat(target).catch(() => undefined)) await unlink(target);
          await link(from, target);
          result.files++;
          break;
        }
        default:
          throw unsafe(header.path, `entries of type '${header.typeflag}' (device, fifo, …) are not copied`);
      }
    }
    if (entries === 0) throw new CopyError('the tar stream has no entries', 'MalformedTar', { path: EMPTY_ARCHIVE });
    if (!rootIsFile && !(await lstat(top).catch(() => undefined))) await mkdir(top);
    // Directory modes last, so a read-only directory does not stop its own extraction.
    for (const [dir, mode] of dirModes.reverse()) await chmod(dir, mode | 0o700);
    await moveInto(top, dest);
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Moves `from` to `to`, merging into an existing directory. */
async function moveInto(from: string, to: string): Promise<void> {
  const there = await lstat(to).catch(() => undefined);
  if (!there) return rename(from, to);
  const st = await lstat(from);
  if (st.isDirectory() && there.isDirectory()) {
    for (const name of await readdir(from)) await moveInto(join(from, name), join(to, name));
    return;
  }
  if (there.isDirectory()) throw new CopyError(`cannot replace the directory ${to} with a file`, 'LocalPathNotFound', { path: to });
  await rename(from, to);
}

