/**
 * The tar format (POSIX ustar, with pax and GNU long-name records), as a streaming reader
 * and writer, for cp. No I/O here beyond the byte streams given; extraction and its safety
 * rules are in tar-extract.ts.
 */
import { CopyError } from './errors.js';

const BLOCK = 512;
const RECORD = 20 * BLOCK;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarHeader {
  readonly path: string;
  readonly type: TarEntryType;
  /** The raw typeflag character (for messages about 'other' entries). */
  readonly typeflag: string;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  readonly linkpath: string;
}

export interface TarEntry {
  readonly header: TarHeader;
  /** The entry's bytes; read it before asking for the next entry (it is skipped otherwise). */
  readonly body: AsyncIterable<Uint8Array>;
}

/** Reads exactly-sized pieces out of a byte stream. */
class ByteReader {
  readonly #it: AsyncIterator<Uint8Array>;
  #buf: Buffer = Buffer.alloc(0);
  #done = false;
  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }
  async #fill(min: number): Promise<boolean> {
    while (this.#buf.length < min && !this.#done) {
      const r = await this.#it.next();
      if (r.done) this.#done = true;
      else this.#buf = this.#buf.length === 0 ? Buffer.from(r.value) : Buffer.concat([this.#buf, r.value]);
    }
    return this.#buf.length >= min;
  }
  /** Exactly n bytes, or undefined at a clean end of stream (nothing buffered). */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.#fill(n))) {
      if (this.#buf.length === 0) return undefined;
      throw new CopyError(`tar stream truncated: wanted ${n} bytes, got ${this.#buf.length}`, 'MalformedTar');
    }
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }
  /** n bytes as they arrive (chunks), failing if the stream ends first. */
  async *chunks(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#fill(1))) throw new CopyError(`tar stream truncated inside an entry (${left} bytes missing)`, 'MalformedTar');
      const k = Math.min(left, this.#buf.length);
      const out = this.#buf.subarray(0, k);
      this.#buf = this.#buf.subarray(k);
      left -= k;
      yield out;
    }
  }
  async skip(n: number): Promise<void> {
    for await (const _ of this.chunks(n)) { /* discard */ }
  }
  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

function text(b: Buffer, start: number, len: number): string {
  const f = b.subarray(start, start + len);
  const nul = f.indexOf(0);
  return f.subarray(0, nul === -1 ? f.length : nul).toString('utf8');
}

function octal(b: Buffer, start: number, len: number, what: string): number {
  const f = b.subarray(start, start + len);
  if (((f[0] as number) & 0x80) !== 0) {
    // GNU base-256 for large values (positive only).
    let v = (f[0] as number) & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + (f[i] as number);
    if (!Number.isSafeInteger(v)) throw new CopyError(`tar header: ${what} out of range`, 'MalformedTar');
    return v;
  }
  const s = text(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new CopyError(`tar header: ${what} is not octal (${JSON.stringify(s.slice(0, 20))})`, 'MalformedTar');
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = octal(h, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 32 : (h[i] as number);
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return stored === unsigned || stored === signed;
}

function typeOf(flag: string): TarEntryType {
  if (flag === '0' || flag === '\0' || flag === '' || flag === '7') return 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

/** Parses pax records ("<len> key=value\n"). */
function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const sp = body.indexOf(0x20, at);
    if (sp === -1) break;
    const len = Number(body.subarray(at, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || at + len > body.length) throw new CopyError('tar pax header: malformed record', 'MalformedTar');
    const rec = body.subarray(sp + 1, at + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    at += len;
  }
  return out;
}

const MAX_META = 1 << 20;

/** The entries of a tar stream, in order. Stops at the end-of-archive blocks. */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const r = new ByteReader(source);
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      const h = await r.read(BLOCK);
      if (!h) return; // stream ended without end blocks: accept like GNU tar does
      if (h.every((v) => v === 0)) return;
      if (!checksumOk(h)) throw new CopyError('tar header checksum mismatch (not a tar stream, or corrupted)', 'MalformedTar');
      const flag = String.fromCharCode(h[156] as number);
      const size = octal(h, 124, 12, 'size');
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        if (size > MAX_META) throw new CopyError(`tar metadata record of ${size} bytes is too large`, 'MalformedTar');
        const body = (await r.read(padded)) ?? Buffer.alloc(0);
        const data = body.subarray(0, size);
        if (flag === 'x') pax = { ...pax, ...parsePax(data) };
        else if (flag === 'L') longName = text(data, 0, data.length);
        else if (flag === 'K') longLink = text(data, 0, data.length);
        continue;
      }
      const magic = text(h, 257, 6);
      const prefix = magic.startsWith('ustar') ? text(h, 345, 155) : '';
      const name = text(h, 0, 100);
      const path = pax.path ?? longName ?? (prefix ? `${prefix}/${name}` : name);
      const realSize = pax.size !== undefined ? Number(pax.size) : size;
      if (!Number.isSafeInteger(realSize) || realSize < 0) throw new CopyError('tar pax header: bad size', 'MalformedTar');
      const type = typeOf(flag);
      const header: TarHeader = {
        path, type, typeflag: flag, mode: octal(h, 100, 8, 'mode'), size: type === 'file' ? realSize : 0,
        mtime: octal(h, 136, 12, 'mtime'), linkpath: pax.linkpath ?? longLink ?? text(h, 157, 100),
      };
      pax = {};
      longName = undefined;
      longLink = undefined;
      const dataSize = realSize;
      let consumed = false;
      const body: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => {
          consumed = true;
          return r.chunks(dataSize)[Symbol.asyncIterator]();
        },
      };
      yield { header, body };
      if (!consumed) await r.skip(dataSize);
      const pad = Math.ceil(dataSize / BLOCK) * BLOCK - dataSize;
      if (pad > 0) await r.skip(pad);
    }
  } finally {
    await r.close();
  }
}

/** One entry to write. */
export interface TarInput {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  readonly mtime?: number;
  readonly size?: number;
  readonly linkpath?: string;
  /** The file's bytes (exactly `size` of them). */
  readonly body?: () => AsyncIterable<Uint8Array>;
}

function writeOctal(b: Buffer, value: number, start: number, len: number): void {
  b.write(value.toString(8).padStart(len - 1, '0') + '\0', start, len, 'ascii');
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function header(path: string, flag: string, mode: number, size: number, mtime: number, linkpath: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(path, 0, 100, 'utf8');
  writeOctal(h, mode & 0o7777, 100, 8);
  writeOctal(h, 0, 108, 8);
  writeOctal(h, 0, 116, 8);
  writeOctal(h, size, 124, 12);
  writeOctal(h, Math.max(0, Math.floor(mtime)), 136, 12);
  h.write(flag, 156, 1, 'ascii');
  h.write(linkpath, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.fill(32, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i] as number;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** A tar stream of the given entries (ustar, with pax records for long names). */
export async function* writeTar(entries: AsyncIterable<TarInput> | Iterable<TarInput>): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of tarBlocks(entries)) {
    total += chunk.length;
    yield chunk;
  }
  // End of archive, padded to a whole 10 KiB record like tar(1) writes: a reader on a pipe
  // (GNU tar in the container) then stops at the marker without waiting for end of input.
  const end = BLOCK * 2;
  const rest = (RECORD - ((total + end) % RECORD)) % RECORD;
  yield Buffer.alloc(end + rest);
}

async function* tarBlocks(entries: AsyncIterable<TarInput> | Iterable<TarInput>): AsyncGenerator<Uint8Array> {
  for await (const e of entries) {
    const flag = e.type === 'file' ? '0' : e.type === 'directory' ? '5' : '2';
    const path = e.type === 'directory' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
    const link = e.linkpath ?? '';
    const size = e.type === 'file' ? e.size ?? 0 : 0;
    const mtime = e.mtime ?? 0;
    const records: Buffer[] = [];
    if (Buffer.byteLength(path) > 100) records.push(paxRecord('path', path));
    if (Buffer.byteLength(link) > 100) records.push(paxRecord('linkpath', link));
    if (size > 0o77777777777) records.push(paxRecord('size', String(size)));
    if (records.length > 0) {
      const pax = Buffer.concat(records);
      yield header('PaxHeader', 'x', 0o644, pax.length, mtime, '');
      yield pad(pax);
    }
    yield header(path.slice(0, 100), flag, e.mode, Math.min(size, 0o77777777777), mtime, link.slice(0, 100));
    if (e.type === 'file' && size > 0) {
      let written = 0;
      for await (const chunk of e.body?.() ?? []) {
        const take = chunk.subarray(0, size - written);
        written += take.length;
        if (take.length > 0) yield take;
        if (written === size) break;
      }
      if (written !== size) throw new CopyError(`${e.path}: the file changed while it was read (${written} of ${size} bytes)`, 'LocalPathNotFound', { path: e.path });
      const rest = (BLOCK - (size % BLOCK)) % BLOCK;
      if (rest > 0) yield Buffer.alloc(rest);
    }
  }
}

function pad(b: Buffer): Buffer {
  const rest = (BLOCK - (b.length % BLOCK)) % BLOCK;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(rest)]);
}
