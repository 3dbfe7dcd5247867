/**
 * SPDY/3 header compression (§2.6.10.1): every header block of a session, in each direction,
 * is one zlib stream primed with the protocol's dictionary, each block ended with a sync
 * flush. Node only (node:zlib): the tunnel runs on the node transport.
 *
 * Both directions stay synchronous with zlib's one-shot API, no stream state held in zlib:
 * - Sending: the first block carries the zlib header (with the dictionary's id) and raw
 *   deflate data primed with the dictionary; each later block is raw deflate data compressed
 *   on its own, whose back references stay inside the block, so it decodes the same whatever
 *   came before it in the peer's stream. (A few bytes larger than a shared window; two blocks
 *   per connection, tens of bytes each.)
 * - Receiving: each block is raw-inflated with the last 32 KiB of the stream's output so far
 *   (starting with the dictionary) as its window, which is exactly the state a streaming
 *   inflater would hold after a sync flush.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { protocolError } from './spdy-frames.js';

// The SPDY/3 header dictionary (the draft's §2.6.10.1): 65 length-prefixed words, then text.
// The words are space-separated below; '_' stands for the space inside '200 OK'.
const DICTIONARY_WORDS = [
  'options head post put delete trace accept accept-charset accept-encoding accept-language',
  'accept-ranges age allow authorization cache-control connection content-base content-encoding',
  'content-language content-length content-location content-md5 content-range content-type date',
  'etag expect expires from host if-match if-modified-since if-none-match if-range',
  'if-unmodified-since last-modified location max-forwards pragma proxy-authenticate',
  'proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade',
  'user-agent vary via warning www-authenticate method get status 200_OK version HTTP/1.1 url',
  'public set-cookie keep-alive origin',
].join(' ').split(' ').map((w) => w.replace('_', ' ')); // '200 OK' is one word
const DICTIONARY_TAIL = [
  '10010120120220520630030230330430530630740240540640740840941041141241341441541641750250450520',
  '3 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unautho',
  'rized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unava',
  'ilableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat',
  ', Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+',
  'xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=is',
  'o-8859-1,utf-,*,enq=0.',
].join('');

function buildDictionary(): Uint8Array {
  const enc = new TextEncoder();
  const parts = DICTIONARY_WORDS.map((w) => {
    const b = new Uint8Array(4 + w.length);
    new DataView(b.buffer).setUint32(0, w.length);
    b.set(enc.encode(w), 4);
    return b;
  });
  parts.push(enc.encode(DICTIONARY_TAIL));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The dictionary both sides prime zlib with (1,423 bytes). */
export const SPDY_DICTIONARY: Uint8Array = buildDictionary();

/** zlib's Adler-32 (RFC 1950 §8.2): the dictionary's id in a zlib header. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i += 3800) {
    const end = Math.min(i + 3800, bytes.length);
    for (let j = i; j < end; j++) {
      a += bytes[j] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const DICTIONARY_ID = adler32(SPDY_DICTIONARY);
const WINDOW = 32 * 1024;
/** The largest header block we inflate: port-forward's are tens of bytes; this bounds a zlib bomb. */
const MAX_HEADER_BLOCK = 256 * 1024;

/** The zlib header: deflate with a 32 KiB window (0x78), FDICT set, FCHECK making it a multiple of 31, then the dictionary id. */
function zlibHeader(): Uint8Array {
  const cmf = 0x78;
  let flg = 0x20 | (2 << 6);
  flg += 31 - ((cmf * 256 + flg) % 31);
  const out = new Uint8Array(6);
  out[0] = cmf;
  out[1] = flg;
  new DataView(out.buffer).setUint32(2, DICTIONARY_ID);
  return out;
}

/** Compresses this session's outgoing header blocks (one per SYN_STREAM). */
export class HeaderCompressor {
  #started = false;

  compress(block: Uint8Array): Uint8Array {
    const opts = { finishFlush: constants.Z_SYNC_FLUSH, ...(this.#started ? {} : { dictionary: SPDY_DICTIONARY }) };
    const raw = deflateRawSync(block, opts);
    if (this.#started) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    this.#started = true;
    const head = zlibHeader();
    const out = new Uint8Array(head.length + raw.length);
    out.set(head);
    out.set(raw, head.length);
    return out;
  }
}

/** Decompresses this session's incoming header blocks, in the order they arrive. */
export class HeaderDecompressor {
  #window: Uint8Array = SPDY_DICTIONARY;
  #started = false;

  decompress(compressed: Uint8Array): Uint8Array {
    let data = compressed;
    if (!this.#started) {
      if (data.length < 2) throw protocolError('the first header block is shorter than a zlib header');
      const cmf = data[0] as number;
      const flg = data[1] as number;
      if ((cmf & 0x0f) !== 8 || (cmf * 256 + flg) % 31 !== 0) throw protocolError('the first header block does not start with a zlib header');
      if ((flg & 0x20) === 0) throw protocolError('the header compression does not use the SPDY dictionary (no dictionary id)');
      if (data.length < 6) throw protocolError('the first header block ends inside its zlib header');
      const id = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(2);
      if (id !== DICTIONARY_ID) throw protocolError(`the header compression uses dictionary ${id.toString(16)}, not SPDY/3's (${DICTIONARY_ID.toString(16)})`);
      data = data.subarray(6);
      this.#started = true;
    }
    let out: Uint8Array;
    try {
      out = inflateRawSync(data, { dictionary: this.#window, finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_HEADER_BLOCK });
    } catch (e) {
      throw protocolError(`a header block does not decompress (${(e as Error).message})`);
    }
    const joined = new Uint8Array(Math.min(WINDOW, this.#window.length + out.length));
    const fromWindow = joined.length - out.length;
    if (fromWindow > 0) joined.set(this.#window.subarray(this.#window.length - fromWindow));
    joined.set(out.length > joined.length ? out.subarray(out.length - joined.length) : out, Math.max(0, fromWindow));
    this.#window = joined;
    return out;
  }
}
