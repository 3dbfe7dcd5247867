/**
 * Reading the files a kubeconfig points at (certificates, keys, token files, the kubeconfig
 * itself) without trusting them: a path may name a device (/dev/zero never ends), a FIFO
 * (opening it blocks until someone writes), a directory or a multi-gigabyte file. Each of
 * those is refused with a reason before more than `maxBytes` is read.
 */
import { constants, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/** Caps per kind of file; far above any real one, far below what hurts. */
export const FILE_LIMITS = {
  /** A CA bundle, client certificate or key (the whole Mozilla bundle is ~220 KB). */
  pem: 4 << 20,
  /** A bearer token file (a projected service-account JWT is ~1 KB). */
  token: 1 << 20,
  /** A kubeconfig file. */
  kubeconfig: 16 << 20,
} as const;

/** Why a file could not be used: an errno code (ENOENT, EACCES, …), NOT_A_FILE or TOO_LARGE. */
export class LocalFileProblem extends Error {
  constructor(
    readonly code: string,
    /** A few words for a message: "is a directory", "is larger than 4 MiB", "cannot be read (ENOENT)". */
    readonly what: string,
  ) {
    super(what);
    this.name = 'LocalFileProblem';
  }
}

function kindOf(s: Stats): string | undefined {
  if (s.isFile()) return undefined;
  if (s.isDirectory()) return 'is a directory';
  if (s.isFIFO()) return 'is a FIFO (named pipe)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'is a device';
  if (s.isSocket()) return 'is a socket';
  return 'is not a regular file';
}

function mib(n: number): string {
  return `${Math.round((n / (1 << 20)) * 10) / 10} MiB`;
}

function problemFrom(cause: unknown): LocalFileProblem {
  if (cause instanceof LocalFileProblem) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'is not readable by this process' : `cannot be read (${code})`;
  return new LocalFileProblem(code, what);
}

/**
 * Reads a regular file of at most `maxBytes` as UTF-8. Throws {@link LocalFileProblem}
 * (or the signal's reason when `signal` aborts).
 */
export async function readLocalFile(path: string, maxBytes: number, signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  try {
    // Look before opening: opening a device can have effects (a tape rewinds), a FIFO blocks.
    const before = await stat(path);
    const kind = kindOf(before);
    if (kind) throw new LocalFileProblem('NOT_A_FILE', kind);
    if (before.size > maxBytes) throw new LocalFileProblem('TOO_LARGE', `is larger than ${mib(maxBytes)} (${mib(before.size)})`);
    // O_NONBLOCK: if the path was swapped for a FIFO since stat, open returns at once instead of hanging.
    const fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const now = await fh.stat();
      const kindNow = kindOf(now);
      if (kindNow) throw new LocalFileProblem('NOT_A_FILE', kindNow);
      // Read in chunks up to the cap whatever stat said: files in /proc report size 0, files grow.
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        signal?.throwIfAborted();
        const buf = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > maxBytes) throw new LocalFileProblem('TOO_LARGE', `is larger than ${mib(maxBytes)}`);
        chunks.push(buf.subarray(0, bytesRead));
      }
      return Buffer.concat(chunks, total).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    throw problemFrom(cause);
  }
}
