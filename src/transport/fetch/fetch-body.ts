/**
 * Reading a fetch Response body under the same caps as the node:http transport: bytes are
 * counted as they arrive from the body's ReadableStream and the stream is cancelled the
 * moment the cap is passed, so memory stays near the cap. fetch decompresses by itself
 * (and a page may not choose Accept-Encoding), so the cap counts decompressed bytes; the
 * compressed-size ratio check of the node transport has no fetch equivalent, and the byte
 * cap bounds a decompression bomb all the same.
 */
import type { RequestRef } from '../../core/errors.js';
import { ResponseTooLargeError } from '../../net/response-errors.js';

export interface FetchBodyLimits {
  readonly maxBytes: number;
  /** Past maxBytes, return what was read (error bodies: the status code still types the error). */
  readonly truncate?: boolean;
}

/** The whole body as UTF-8 text, or ResponseTooLargeError past the cap. */
export async function readCappedText(res: Response, limits: FetchBodyLimits, ref: RequestRef): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const encoded = (res.headers.get('content-encoding') ?? '') !== '';
  if (!limits.truncate && !encoded && declared > limits.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(ref, 'bytes', limits.maxBytes);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > limits.maxBytes) {
      await reader.cancel().catch(() => undefined);
      if (!limits.truncate) throw new ResponseTooLargeError(ref, 'bytes', limits.maxBytes);
      text += decoder.decode(value.subarray(0, limits.maxBytes - size), { stream: true });
      break;
    }
    size += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * The body as an AsyncIterable of chunks (watch, follow logs). Lines are decoded above the
 * transport, by the same decoder and limits as for the node transport. `onEnd` runs once
 * when the body ends, fails or is abandoned.
 */
export function bodyChunks(res: Response, onEnd: () => void): AsyncIterable<Uint8Array> {
  const body = res.body;
  return {
    async *[Symbol.asyncIterator]() {
      if (!body) {
        onEnd();
        return;
      }
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        // Leaving the loop early (break, throw) cancels the body and so drops the connection.
        reader.cancel().catch(() => undefined);
        onEnd();
      }
    },
  };
}
