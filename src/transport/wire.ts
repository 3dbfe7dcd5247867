/**
 * One HTTP/1.1 request on node:http(s) through a connector's agent: resolves once the
 * response headers are in (or, for an upgrade, once the server switched protocols).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Agent, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { WireResponse } from '../net/http2.js';
import { hostOf } from '../net/proxy.js';

/** What came back: a response, or a switched-protocols socket. */
export interface Answer {
  readonly res: WireResponse;
  readonly upgraded?: { readonly socket: Duplex; readonly head: Buffer };
}

export interface WireRequest {
  readonly url: URL;
  readonly path: string;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: string | undefined;
  readonly agent: Agent;
  readonly signal: AbortSignal;
}

/** Sends one request; an upgrade request also resolves on 'upgrade'. */
export function send(r: WireRequest): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const req = (r.url.protocol === 'https:' ? httpsRequest : httpRequest)({
      protocol: r.url.protocol, hostname: hostOf(r.url), port: r.url.port, path: r.path, method: r.method,
      headers: r.headers, signal: r.signal, agent: r.agent,
    }, (res) => resolve({ res }));
    if (r.headers.upgrade !== undefined) {
      req.once('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => resolve({ res, upgraded: { socket, head } }));
    }
    req.once('error', reject);
    req.end(r.body);
  });
}

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A fresh Sec-WebSocket-Key (16 random bytes, base64; RFC 6455 §4.1). */
export function webSocketKey(): string {
  return randomBytes(16).toString('base64');
}

/** The Sec-WebSocket-Accept a server must answer to `key` (RFC 6455 §4.2.2). */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

export function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function flatHeaders(h: OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

export function webHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}
