/**
 * Splits a byte stream into text lines in time linear in its length, with a bound on one
 * line. Watch events and followed logs are newline-delimited; a server (or a proxy) may
 * send a line of any length in chunks of any size. Appending each chunk to a string and
 * rescanning it is quadratic (a 50 MB line took 17 s and 540 MB); here each byte is
 * scanned for '\n' once, the pieces of an unfinished line are kept as they came, and a
 * line is decoded once, when it is complete. '\n' never occurs inside a UTF-8 sequence,
 * so splitting bytes first and decoding per line is exact.
 */

import { UsageError } from '../core/errors.js';

/** Default longest watch line: objects are capped by etcd (1.5 MiB by default); room for raised limits. */
export const DEFAULT_MAX_WATCH_LINE_BYTES = 32 * 1024 * 1024;
/** Default longest log line when following logs. */
export const DEFAULT_MAX_LOG_LINE_BYTES = 4 * 1024 * 1024;

/** Thrown by {@link LineDecoder} when one line grows past its limit; callers turn it into their typed error. */
export class LineTooLong extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`a line is longer than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

/** Splits a byte stream into lines, holding at most `maxBytes` of an unfinished line. */
export class LineDecoder {
  readonly #max: number;
  // ignoreBOM: a BOM is dropped at the start of the stream only (below), as one decode of
  // the whole stream would, not at the start of every line.
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  #first = true;
  /** The pieces of the unfinished line, in order. */
  #held: Uint8Array[] = [];
  #heldBytes = 0;

  constructor(maxLineBytes: number) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) throw new UsageError(`maxLineBytes must be a positive whole number of bytes, got ${String(maxLineBytes)}`);
    this.#max = maxLineBytes;
  }

  /**
   * Feeds one chunk; returns the lines it completes (without the '\n'). Throws
   * `LineTooLong` as soon as the current line passes the limit, before holding more.
   */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    // A plain view: a Node Buffer's subarray() goes through its species constructor, which
    // cost more than finding the line (2 % of a watch's CPU).
    const bytes = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const first = bytes.indexOf(10);
    let start = 0;
    if (first >= 0) {
      if (this.#heldBytes + first > this.#max) throw new LineTooLong(this.#max);
      lines.push(this.#take(bytes.subarray(0, first)));
      start = first + 1;
      const last = bytes.lastIndexOf(10);
      if (last > first && last - start <= this.#max) {
        // The whole lines between: one decode, split as text ('\n' is never inside a UTF-8
        // sequence, and none is longer than the limit, since all of them together are not).
        const text = this.#decoder.decode(bytes.subarray(start, last));
        let from = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
          lines.push(text.slice(from, nl));
          from = nl + 1;
        }
        lines.push(text.slice(from));
        start = last + 1;
      } else {
        for (let nl = bytes.indexOf(10, start); nl >= 0; nl = bytes.indexOf(10, start)) {
          if (nl - start > this.#max) throw new LineTooLong(this.#max);
          lines.push(this.#decoder.decode(bytes.subarray(start, nl)));
          start = nl + 1;
        }
      }
    }
    if (start < bytes.length) {
      if (this.#heldBytes + bytes.length - start > this.#max) throw new LineTooLong(this.#max);
      // A copy: a stream may reuse its buffer.
      this.#held.push(bytes.slice(start));
      this.#heldBytes += bytes.length - start;
    }
    return lines;
  }

  /** The last line, when the stream ended without a final '\n'. */
  end(): string | undefined {
    if (this.#heldBytes === 0) return undefined;
    const last = this.#take(new Uint8Array(0));
    // Only a byte-order mark was held: no line.
    return last === '' ? undefined : last;
  }

  #take(tail: Uint8Array): string {
    const text = this.#join(tail);
    if (!this.#first) return text;
    this.#first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  #join(tail: Uint8Array): string {
    if (this.#heldBytes === 0) return this.#decoder.decode(tail);
    let bytes: Uint8Array;
    if (this.#held.length === 1 && tail.length === 0) {
      bytes = this.#held[0] as Uint8Array;
    } else {
      bytes = new Uint8Array(this.#heldBytes + tail.length);
      let at = 0;
      for (const piece of this.#held) {
        bytes.set(piece, at);
        at += piece.length;
      }
      bytes.set(tail, at);
    }
    this.#held = [];
    this.#heldBytes = 0;
    return this.#decoder.decode(bytes);
  }
}
