/**
 * cp between this machine and a container, as kubectl does it: tar over exec. To the pod:
 * our tar writer feeds `tar -xmf - -C <dir>` in the container; from the pod: `tar cf - -C
 * <dir> <name>` in the container feeds our safe extractor (tar-extract.ts).
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { posix } from 'node:path';
import { CopyError, ExecError } from './errors.js';
import type { ExecOptions, ExecProcess } from './exec.js';
import { EMPTY_ARCHIVE, extractTar, type ExtractResult } from './tar-extract.js';
import type { DefaultContainerOptions } from './default-container.js';
import { writeTar, type TarInput } from './tar.js';

/** Options of copyToPod and copyFromPod. */
export interface CopyOptions extends DefaultContainerOptions {
  /** The container; when left out and the pod has several, kubectl's default (see {@link DefaultContainerOptions}). */
  readonly container?: string;
  readonly signal?: AbortSignal;
}

/** What a copy moved. */
export interface CopyResult {
  readonly files: number;
  readonly directories: number;
  readonly symlinks: number;
  readonly bytes: number;
}

/** Starts a command in the pod (the pod's exec, bound to name and namespace). */
export type Exec = (options: ExecOptions) => Promise<ExecProcess>;

/**
 * Waits for the remote tar: undefined when it exited 0, else the CopyError saying why (a
 * non-zero exit code, or the failed Status of a runtime that reports exits that way).
 */
async function remoteFailure(proc: ExecProcess, stderr: Promise<string>, path: string): Promise<CopyError | undefined> {
  let code: number;
  try {
    code = await proc.exit;
  } catch (e) {
    if (!(e instanceof ExecError) || e.reason !== 'ExecFailed') throw e;
    return new CopyError(`tar in the container failed: ${(await stderr).trim().slice(0, 500) || e.message}`, 'RemoteCommandFailed', { path, cause: e });
  }
  if (code === 0) return undefined;
  return new CopyError(`tar in the container exited ${code}: ${(await stderr).trim().slice(0, 500)}`, 'RemoteCommandFailed', { path });
}

/** The entries of a local file or tree, named under `name`, in a stable order. */
async function* localEntries(path: string, name: string, counts: { files: number; directories: number; symlinks: number; bytes: number }): AsyncGenerator<TarInput> {
  const st = await lstat(path);
  const mtime = Math.floor(st.mtimeMs / 1000);
  if (st.isSymbolicLink()) {
    counts.symlinks++;
    yield { path: name, type: 'symlink', mode: st.mode, mtime, linkpath: await readlink(path) };
  } else if (st.isDirectory()) {
    counts.directories++;
    yield { path: name, type: 'directory', mode: st.mode, mtime };
    for (const child of (await readdir(path)).sort()) yield* localEntries(join(path, child), `${name}/${child}`, counts);
  } else if (st.isFile()) {
    counts.files++;
    counts.bytes += st.size;
    yield { path: name, type: 'file', mode: st.mode, mtime, size: st.size, body: () => createReadStream(path) };
  }
  // sockets, fifos and devices are not copied (kubectl skips them too)
}

/**
 * Copies a local file or directory to `remotePath` in the container (which names the copy:
 * `/tmp/data` becomes the directory or file). Needs `tar` in the container.
 */
export async function copyToPod(exec: Exec, localPath: string, remotePath: string, options: CopyOptions = {}): Promise<CopyResult> {
  const st = await lstat(localPath).catch(() => undefined);
  if (!st) throw new CopyError(`${localPath}: no such file or directory`, 'LocalPathNotFound', { path: localPath });
  const remote = posix.normalize(remotePath);
  const name = posix.basename(remote);
  if (name === '' || name === '.' || name === '..' || remote === '/') throw new CopyError(`remote path ${JSON.stringify(remotePath)} must name a file or directory`, 'LocalPathNotFound', { path: remotePath });
  const dir = posix.dirname(remote);
  const proc = await exec({
    command: ['tar', '-xmf', '-', '-C', dir], stdin: true, stdout: true, stderr: true,
    ...(options.container ? { container: options.container } : {}), ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onDefaultContainer ? { onDefaultContainer: options.onDefaultContainer } : {}),
  });
  const counts = { files: 0, directories: 0, symlinks: 0, bytes: 0 };
  const collected = Promise.all([proc.stdout, proc.stderr].map(async (s) => {
    const parts: Uint8Array[] = [];
    for await (const c of s) parts.push(c);
    return Buffer.concat(parts).toString('utf8');
  }));
  try {
    let batch: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of writeTar(localEntries(localPath, name, counts))) {
      batch.push(chunk);
      size += chunk.length;
      if (size >= 64 * 1024) {
        await proc.stdin.write(Buffer.concat(batch, size));
        batch = [];
        size = 0;
      }
    }
    if (size > 0) await proc.stdin.write(Buffer.concat(batch, size));
    // v4 has no end-of-input; tar stops at the end-of-archive blocks there.
    if (proc.protocol === 'v5.channel.k8s.io') await proc.stdin.end();
  } catch (e) {
    proc.close();
    await proc.exit.catch(() => undefined);
    throw e;
  }
  const failure = await remoteFailure(proc, collected.then((c) => c[1] ?? '', () => ''), remotePath);
  if (failure) throw failure;
  return counts;
}

/**
 * Copies `remotePath` (a file or directory in the container) to `localPath`, which becomes
 * the copy. Hostile archives are refused (see tar-extract.ts).
 */
export async function copyFromPod(exec: Exec, remotePath: string, localPath: string, options: CopyOptions = {}): Promise<CopyResult> {
  const remote = posix.normalize(remotePath);
  const name = posix.basename(remote);
  if (name === '' || name === '.' || name === '..' || remote === '/') throw new CopyError(`remote path ${JSON.stringify(remotePath)} must name a file or directory`, 'LocalPathNotFound', { path: remotePath });
  const proc = await exec({
    command: ['tar', 'cf', '-', '-C', posix.dirname(remote), name], stdout: true, stderr: true,
    ...(options.container ? { container: options.container } : {}), ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onDefaultContainer ? { onDefaultContainer: options.onDefaultContainer } : {}),
  });
  const stderr: Promise<string> = (async () => {
    const parts: Uint8Array[] = [];
    for await (const c of proc.stderr) parts.push(c);
    return Buffer.concat(parts).toString('utf8');
  })().catch(() => '');
  let result: ExtractResult;
  try {
    result = await extractTar(proc.stdout, localPath, { root: name, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (e) {
    // An empty stream means tar failed before writing anything: its exit status says why.
    if (e instanceof CopyError && e.reason === 'MalformedTar' && e.path === EMPTY_ARCHIVE) {
      const failure = await remoteFailure(proc, stderr, remotePath).catch(() => undefined);
      if (failure) throw failure;
    } else {
      proc.close();
      await proc.exit.catch(() => undefined);
    }
    throw e;
  }
  const failure = await remoteFailure(proc, stderr, remotePath);
  if (failure) throw failure;
  return result;
}

