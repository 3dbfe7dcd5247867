/**
 * Reading response bodies under caps, whatever the server sends: the bytes on the wire and
 * the decompressed bytes are counted as they arrive, and the connection is dropped the
 * moment either passes its cap (so memory stays near the cap); a compressed body must be
 * one the client asked for, and may not expand past a ratio. Decompression is streamed
 * (never zlib's one-shot callbacks, where a thrown error escapes every caller).
 */
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import type { RequestRef } from '../core/errors.js';
import type { WireResponse } from './http2.js';
import { ResponseEncodingError, ResponseTooLargeError } from './response-errors.js';

export { DEFAULT_MAX_DECOMPRESSION_RATIO, DEFAULT_MAX_ERROR_BODY_BYTES, DEFAULT_MAX_RESPONSE_BYTES } from './limits.js';

/**
 * The ratio is only checked past this many decompressed bytes: an object holding a few MB
 * of zeros legitimately compresses ~1000:1; a bomb is stopped here, long before the cap.
 */
const RATIO_FLOOR = 8 * 1024 * 1024;

export interface BodyLimits {
  /** Most bytes read, on the wire and decompressed. */
  readonly maxBytes: number;
  /** Most decompressed bytes per compressed byte. */
  readonly maxRatio: number;
  /** Content-encodings the request asked for ('identity' is always accepted). */
  readonly encodings: readonly string[];
  /** Past maxBytes, return what was read instead of failing (error bodies: the status code still types the error). */
  readonly truncate?: boolean;
}

function encodingOf(res: WireResponse): string {
  const v = res.headers['content-encoding'];
  return (Array.isArray(v) ? v.join(',') : v ?? '').trim().toLowerCase();
}

/** A decoder for `encoding` when the request asked for it; throws ResponseEncodingError otherwise. */
function decoderFor(encoding: string, allowed: readonly string[], ref: RequestRef): Gunzip | undefined {
  if (encoding === '' || encoding === 'identity') return undefined;
  if (!allowed.includes(encoding)) throw new ResponseEncodingError(ref, encoding, 'the server compressed a response the client asked for uncompressed');
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  throw new ResponseEncodingError(ref, encoding, 'unsupported content-encoding');
}

function connectionLost(): Error {
  return Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' });
}

/**
 * The whole body, decompressed, as bytes. Rejects with ResponseTooLargeError past a cap,
 * ResponseEncodingError for an encoding not asked for or corrupt, or a plain error with a
 * `code` (ECONNRESET) when the connection ends early.
 */
export function readBody(res: WireResponse, limits: BodyLimits, ref: RequestRef): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    let decoder: Gunzip | undefined;
    const finish = (error: Error | undefined, value?: Buffer): void => {
      if (settled) return;
      settled = true;
      if (error) {
        res.destroy();
        decoder?.destroy();
        reject(error);
      } else resolve(value as Buffer);
    };
    try {
      decoder = decoderFor(encodingOf(res), limits.encodings, ref);
    } catch (e) {
      finish(e as Error);
      return;
    }
    const declared = Number(res.headers['content-length']);
    if (!limits.truncate && declared > limits.maxBytes) {
      finish(new ResponseTooLargeError(ref, 'bytes', limits.maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let raw = 0;
    let size = 0;
    const done = (): void => {
      try {
        finish(undefined, chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size));
      } catch (e) {
        finish(e as Error);
      }
    };
    const keep = (c: Buffer): void => {
      if (settled) return;
      if (size + c.length > limits.maxBytes) {
        if (!limits.truncate) return finish(new ResponseTooLargeError(ref, 'bytes', limits.maxBytes));
        chunks.push(c.subarray(0, limits.maxBytes - size));
        size = limits.maxBytes;
        // Enough of an error body: drop the rest with the connection.
        done();
        res.destroy();
        decoder?.destroy();
        return;
      }
      chunks.push(c);
      size += c.length;
      // Against the compressed bytes the decoder has consumed (bytesWritten), not those merely received.
      if (decoder && size > RATIO_FLOOR && size > Math.max(1, decoder.bytesWritten) * limits.maxRatio) finish(new ResponseTooLargeError(ref, 'ratio', limits.maxRatio));
    };
    res.once('error', (e) => finish(e));
    res.once('close', () => {
      if (!res.complete) finish(connectionLost());
    });
    if (!decoder) {
      res.on('data', keep);
      res.once('end', done);
      return;
    }
    const d = decoder;
    res.on('data', (c: Buffer) => {
      raw += c.length;
      if (raw > limits.maxBytes && !limits.truncate) return finish(new ResponseTooLargeError(ref, 'bytes', limits.maxBytes));
      d.write(c);
    });
    res.once('end', () => d.end());
    d.on('data', keep);
    d.once('end', done);
    d.once('error', (e) => finish(new ResponseEncodingError(ref, encodingOf(res), `the compressed response is corrupt (${e.message.slice(0, 80)})`)));
  });
}

/** The body as UTF-8 text; see {@link readBody}. */
export async function readText(res: WireResponse, limits: BodyLimits, ref: RequestRef): Promise<string> {
  const bytes = await readBody(res, limits, ref);
  return bytes.toString('utf8');
}

/**
 * The body as a stream, through a decompressor when the server compressed it as asked.
 * Throws ResponseEncodingError (after dropping the connection) for an encoding not asked for.
 */
export function decodedStream(res: WireResponse, encodings: readonly string[], ref: RequestRef): Readable {
  let decoder: Gunzip | undefined;
  try {
    decoder = decoderFor(encodingOf(res), encodings, ref);
  } catch (e) {
    res.destroy();
    throw e;
  }
  if (!decoder) return res;
  const d = decoder;
  res.once('error', (e) => d.destroy(e));
  res.once('close', () => {
    if (!res.complete) d.destroy(connectionLost());
  });
  return res.pipe(d);
}
