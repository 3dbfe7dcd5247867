/**
 * Proxies: raw TCP tunnels through an HTTP(S) CONNECT or SOCKS5 proxy, and the choice of
 * proxy for a URL (the kubeconfig's proxy-url, else HTTPS_PROXY/HTTP_PROXY/NO_PROXY like
 * kubectl). A server on this machine is never reached through an environment proxy: Go's
 * ProxyFromEnvironment (so kubectl) exempts localhost and loopback addresses, and a proxy
 * would otherwise read an http:// cluster's bearer token in clear.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';

/** Opens a raw TCP connection to host:port through a proxy. */
export type Tunnel = (host: string, port: number) => Promise<Socket>;

/** `host` of a URL, brackets removed from IPv6 literals. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

export function portOf(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Whether a host name or address is this machine: localhost (and *.localhost), 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(h)) return true;
    // IPv4-mapped loopback, ::ffff:127.x.y.z
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
  }
  return false;
}

/** Whether a server URL is on this machine. */
export function isLoopback(server: string): boolean {
  try {
    return isLoopbackHost(hostOf(new URL(server)));
  } catch {
    return false;
  }
}

function proxyError(proxy: URL, what: string, code: string): Error {
  // Never the proxy's credentials: origin only.
  return Object.assign(new Error(`proxy ${proxy.protocol}//${proxy.host}: ${what}`), { code });
}

/** Opens a raw TCP tunnel to host:port through an HTTP(S) proxy with CONNECT. */
function connectTunnel(proxy: URL): Tunnel {
  return (host, port) => new Promise<Socket>((resolve, reject) => {
    const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: target };
    if (proxy.username) headers['proxy-authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
    const req = (proxy.protocol === 'https:' ? httpsRequest : httpRequest)({
      host: hostOf(proxy), port: portOf(proxy), method: 'CONNECT', path: target, headers, agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(proxyError(proxy, `CONNECT ${target} answered ${res.statusCode ?? '?'}`, 'EPROXY'));
      }
    });
    req.once('error', reject);
    req.end();
  });
}

/** Opens a raw TCP tunnel to host:port through a SOCKS5 proxy (RFC 1928; user/password per RFC 1929). */
function socksTunnel(proxy: URL): Tunnel {
  return (host, port) => new Promise<Socket>((resolve, reject) => {
    const socket = netConnect(Number(proxy.port || 1080), hostOf(proxy));
    const user = decodeURIComponent(proxy.username);
    const pass = decodeURIComponent(proxy.password);
    let buf = Buffer.alloc(0);
    let step: 'hello' | 'auth' | 'connect' = 'hello';
    const fail = (what: string): void => {
      socket.destroy();
      reject(proxyError(proxy, what, 'EPROXY'));
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (step === 'hello') {
        if (buf.length < 2) return;
        if (buf[0] !== 5 || (buf[1] !== 0 && buf[1] !== 2)) return fail('SOCKS5 handshake refused (no acceptable authentication method)');
        const method = buf[1];
        buf = buf.subarray(2);
        if (method === 2) {
          step = 'auth';
          const u = Buffer.from(user);
          const p = Buffer.from(pass);
          socket.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
          return;
        }
        step = 'connect';
        sendConnect();
        return;
      }
      if (step === 'auth') {
        if (buf.length < 2) return;
        if (buf[1] !== 0) return fail('SOCKS5 authentication failed');
        buf = buf.subarray(2);
        step = 'connect';
        sendConnect();
        return;
      }
      // Reply: VER REP RSV ATYP BND.ADDR BND.PORT
      if (buf.length < 5) return;
      if (buf[1] !== 0) return fail(`SOCKS5 CONNECT ${host}:${port} failed (reply ${buf[1] ?? '?'})`);
      const atyp = buf[3];
      const len = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + (buf[4] ?? 0);
      if (buf.length < 4 + len + 2) return;
      socket.off('data', onData);
      socket.off('error', reject);
      const rest = buf.subarray(4 + len + 2);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const sendConnect = (): void => {
      const kind = isIP(host);
      const addr = kind === 4 ? Buffer.from([1, ...host.split('.').map(Number)])
        : kind === 6 ? Buffer.concat([Buffer.from([4]), ipv6Bytes(host)])
        : Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host)]);
      socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, Buffer.from([port >> 8, port & 0xff])]));
    };
    socket.once('connect', () => socket.write(Buffer.from(user || pass ? [5, 2, 0, 2] : [5, 1, 0])));
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return out;
}

export function tunnelFor(proxyUrl: string): Tunnel {
  const proxy = new URL(proxyUrl);
  if (proxy.protocol === 'socks5:' || proxy.protocol === 'socks5h:') return socksTunnel(proxy);
  if (proxy.protocol === 'http:' || proxy.protocol === 'https:') return connectTunnel(proxy);
  throw Object.assign(new Error(`proxy-url ${proxy.protocol}//${proxy.host}: unsupported scheme; use http, https or socks5`), { code: 'EPROXY' });
}

function pickEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  return env[name.toLowerCase()] || env[name] || undefined;
}

/** Whether NO_PROXY (kubectl/Go rules: `*`, host suffixes, IPs, IPv4 CIDRs, optional :port) exempts host:port. */
export function noProxyMatches(noProxy: string | undefined, host: string, port: number): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.slice(1).replace(']', '') : entry);
    if (m?.[2] && !entry.includes('/') && isIP(entry) !== 6) {
      if (Number(m[2]) !== port) continue;
      entry = m[1] ?? '';
    }
    if (entry.includes('/')) {
      if (inCidr(h, entry)) return true;
      continue;
    }
    if (isIP(entry) || isIP(h)) {
      if (entry === h) return true;
      continue;
    }
    const suffix = entry.startsWith('.') ? entry : `.${entry}`;
    if (h === entry.replace(/^\./, '') || h.endsWith(suffix)) return true;
  }
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  if (isIP(ip) !== 4 || isIP(base) !== 4) return false;
  const bits = Number(bitsText);
  const toInt = (a: string): number => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}


/**
 * The tunnel for one URL: the explicit proxy-url (used for every host, as client-go does),
 * else the environment's proxy unless NO_PROXY or loopback exempts the host.
 */
export function tunnelForUrl(url: URL, explicit: Tunnel | undefined, env: Readonly<Record<string, string | undefined>>): Tunnel | undefined {
  if (explicit) return explicit;
  const host = hostOf(url);
  if (isLoopbackHost(host)) return undefined;
  const fromEnv = pickEnv(env, url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY');
  if (!fromEnv || noProxyMatches(pickEnv(env, 'NO_PROXY'), host, portOf(url))) return undefined;
  return tunnelFor(fromEnv);
}
