// Hostile (issue 12 item 5, transport part): a server echoing credentials in a Warning header, in a Status message, or a server URL with user:password@ — none of it reaches onWarning, the default logger, errors or debug events.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BasicAuthCredentials, StaticTokenCredentials } from '../../src/config/credentials.js';
import { NetworkError } from '../../src/core/errors.js';
import { type DebugEvent, Transport } from '../../src/transport/transport.js';
import type { KubeWarning } from '../../src/transport/warnings.js';
import { config, json, startServer, status, type TestServer } from '../transport/helpers.js';

const TOKEN = 'sha256~Zk9vQmFyLXNlY3JldC10b2tlbi0xMjM0NQ';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

/** Answers with Warning headers (and a Status message) that echo the request's credentials in every form. */
async function echoingServer(): Promise<TestServer> {
  return startServer((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    const value = auth.replace(/^\S+\s+/, '');
    const plain = /^basic/i.test(auth) ? Buffer.from(value, 'base64').toString('utf8') : value;
    const warnings = [
      `299 - "your header was ${auth}"`,
      `299 - "token ${plain} is deprecated"`,
      `299 - "encoded ${b64(plain)} and ${b64(plain).replace(/=+$/, '')}"`,
    ];
    res.setHeader('warning', warnings.join(', '));
    if (req.url?.startsWith('/fail')) return json(res, 400, status(400, 'BadRequest', `bad credential ${plain} / ${b64(plain)}`));
    json(res, 200, { kind: 'Namespace' });
  });
}

function leaks(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => text.includes(s));
}

describe('no secret reaches a warning, a log line, an error or a debug event', () => {
  it('a bearer token echoed in Warning headers (plain and base64) is scrubbed before onWarning', async () => {
    server = await echoingServer();
    const seen: KubeWarning[] = [];
    const t = new Transport(config(server.url, { credentials: new StaticTokenCredentials(TOKEN) }), { onWarning: (w) => seen.push(w) });
    await t.request({ method: 'GET', path: '/api/v1/namespaces/default' });
    expect(seen).toHaveLength(3);
    const text = JSON.stringify(seen);
    expect(leaks(text, [TOKEN, b64(TOKEN), b64(TOKEN).replace(/=+$/, '')])).toEqual([]);
    expect(text).toContain('<redacted>');
    await t.close();
  });

  it('basic-auth credentials (the pair, the password, the base64 header) are scrubbed from the default logger and from errors', async () => {
    server = await echoingServer();
    const password = 'hunter2-very-secret';
    const lines: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((l: unknown) => void lines.push(String(l)));
    const t = new Transport(config(server.url, { credentials: new BasicAuthCredentials('alice', password) }), { retry: false });
    await t.request({ method: 'GET', path: '/api/v1/namespaces/default' });
    const err = await t.request({ method: 'GET', path: '/fail' }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('BadRequestError');
    const secrets = [password, `alice:${password}`, b64(`alice:${password}`)];
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join('\n'), secrets)).toEqual([]);
    expect(leaks((err as Error).message, secrets)).toEqual([]);
    expect(leaks(JSON.stringify((err as { status?: unknown }).status), secrets)).toEqual([]);
    await t.close();
  });

  it('user:password@ in the server URL is never shown in errors or debug events', async () => {
    const events: DebugEvent[] = [];
    // Port 1 refuses: the NetworkError names the server.
    const t = new Transport(config('http://admin:pa55w0rd-in-url@127.0.0.1:1'), { retry: { limit: 1, baseDelayMs: 1 }, onDebug: (e) => events.push(e) });
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toContain('http://127.0.0.1:1');
    const everything = `${(err as Error).message} ${JSON.stringify(events)}`;
    expect(everything).not.toMatch(/pa55w0rd|admin:/);
    expect(events.some((e) => e.type === 'error')).toBe(true);
    await t.close();
  });
});
