// Unit: the exec/attach and port-forward channel protocols against a scripted WebSocket
// server on 127.0.0.1 (the `ws` package), for what kwok cannot show: the v5 stdin close
// frame, a NonZeroExitCode Status, a connection cut before the status, the resize message.
// The same paths against the real API server are in exec.int.test.ts / port-forward.int.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/core/errors.js';
import { ExecError, PortForwardError } from '../../src/streams/errors.js';
import { exitFromStatus, sessionQuery, startSession } from '../../src/streams/exec.js';
import { parsePortSpecs } from '../../src/streams/port-forward.js';
import { openPortStream } from '../../src/streams/port-stream.js';
import { loopbackWs, type Loopback } from './support/loopback-ws.js';

let lb: Loopback | undefined;
afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

const req = { path: '/api/v1/namespaces/ns/pods/p/exec', query: sessionQuery({ stdin: true }, ['cat']), what: 'exec ns/p' };
const msg = (ch: number, s: string | Buffer): Buffer => Buffer.concat([Buffer.from([ch]), Buffer.from(s)]);

describe('exec protocol', () => {
  it('builds the query kubectl builds (command repeated, stderr off with a tty)', () => {
    expect(sessionQuery({ stdin: true, tty: true, container: 'c' }, ['sh', '-c', 'x'])).toEqual({
      command: ['sh', '-c', 'x'], container: 'c', stdin: true, stdout: true, stderr: undefined, tty: true,
    });
    expect(sessionQuery({ stdout: false })).toMatchObject({ stdout: undefined, stderr: true });
  });

  it('maps the error-channel Status to an exit code or an ExecError', () => {
    expect(exitFromStatus({ status: 'Success' }, 'x')).toBe(0);
    expect(exitFromStatus({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '42' }] } }, 'x')).toBe(42);
    const e = exitFromStatus({ status: 'Failure', reason: 'InternalError', message: 'executable file not found' }, 'exec ns/p');
    expect(e).toBeInstanceOf(ExecError);
    expect((e as ExecError).reason).toBe('ExecFailed');
    expect((e as ExecError).message).toContain('executable file not found');
  });

  it('speaks v5: stdin data, the close frame [255, 0], resize JSON; stdout/stderr apart; NonZeroExitCode is a result', async () => {
    lb = await loopbackWs();
    const server = lb.next();
    const proc = await startSession(lb.upgrader, req, { stdin: true, tty: false });
    const s = await server;
    const got: Buffer[] = [];
    s.on('message', (d: Buffer) => {
      got.push(d);
      if (d[0] === 255) {
        s.send(msg(1, 'out'));
        s.send(msg(2, 'err'));
        s.send(msg(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } })));
        s.close(1000);
      }
    });
    expect(proc.protocol).toBe('v5.channel.k8s.io');
    expect(lb.requests[0]).toBe('/api/v1/namespaces/ns/pods/p/exec?command=cat&stdin=true&stdout=true&stderr=true');
    await proc.stdin.write('abc');
    await proc.stdin.end();
    const out = await proc.output();
    expect(out).toEqual({ code: 7, stdout: 'out', stderr: 'err' });
    expect(got.map((g) => [...g])).toEqual([[0, 97, 98, 99], [255, 0]]);
  });

  it('sends resize as {"Width","Height"} on channel 4 for a tty', async () => {
    lb = await loopbackWs();
    const server = lb.next();
    const proc = await startSession(lb.upgrader, req, { tty: true });
    const s = await server;
    const resized = new Promise<Buffer>((r) => s.once('message', r));
    await proc.resize({ cols: 120, rows: 40 });
    const m = await resized;
    expect(m[0]).toBe(4);
    expect(JSON.parse(m.subarray(1).toString())).toEqual({ Width: 120, Height: 40 });
    s.send(msg(3, JSON.stringify({ status: 'Success' })));
    s.close();
    expect(await proc.exit).toBe(0);
  });

  it('falls back to v4 when that is all the server speaks, and says end-of-input is not possible there', async () => {
    lb = await loopbackWs();
    const server = lb.next();
    const proc = await startSession(lb.upgrader, req, { stdin: true, protocols: ['v4.channel.k8s.io'] });
    const s = await server;
    expect(proc.protocol).toBe('v4.channel.k8s.io');
    await expect(proc.stdin.end()).rejects.toMatchObject({ name: 'ExecError', reason: 'StdinCloseUnsupported' });
    s.send(msg(3, JSON.stringify({ status: 'Success' })));
    s.close();
    expect(await proc.exit).toBe(0);
  });

  it('a connection cut before the exit status is ExecError ConnectionLost, and stdout says so too', async () => {
    lb = await loopbackWs();
    const server = lb.next();
    const proc = await startSession(lb.upgrader, req, {});
    const s = await server;
    s.send(msg(1, 'partial'));
    setTimeout(() => s.terminate(), 20);
    const chunks: string[] = [];
    const readErr = await (async () => {
      for await (const c of proc.stdout) chunks.push(Buffer.from(c).toString());
    })().catch((e: unknown) => e);
    expect(chunks).toEqual(['partial']);
    expect(readErr).toMatchObject({ name: 'ExecError', reason: 'ConnectionLost' });
    await expect(proc.exit).rejects.toMatchObject({ name: 'ExecError', reason: 'ConnectionLost' });
  });

  it('abort drops the connection: exit rejects with AbortedError', async () => {
    lb = await loopbackWs();
    const server = lb.next();
    const ac = new AbortController();
    const proc = await startSession(lb.upgrader, req, { signal: ac.signal });
    await server;
    ac.abort(new Error('enough'));
    await expect(proc.exit).rejects.toBeInstanceOf(AbortedError);
  });

  it('refuses stdin when it was not asked for', async () => {
    lb = await loopbackWs();
    const server = lb.next();
    const proc = await startSession(lb.upgrader, req, {});
    await server;
    await expect(proc.stdin.write('x')).rejects.toMatchObject({ reason: 'StdinNotRequested' });
    proc.close();
    await expect(proc.exit).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('port-forward protocol', () => {
  it('parses kubectl port specs and refuses bad ones with a typed error', () => {
    expect(parsePortSpecs([8080, '9090:90', ':5432', '0:1', '22'])).toEqual([
      { local: 8080, remote: 8080 }, { local: 9090, remote: 90 }, { local: 0, remote: 5432 }, { local: 0, remote: 1 }, { local: 22, remote: 22 },
    ]);
    for (const bad of [0, 70000, 'x', '1:0', '80:', -1, 1.5]) {
      expect(() => parsePortSpecs([bad])).toThrow(PortForwardError);
    }
    expect(() => parsePortSpecs([])).toThrow(/at least one port/);
  });

  it('strips the two-byte port prefix of each channel and reports the error channel as RemotePortError (v4.channel.k8s.io: tunnel off)', async () => {
    lb = await loopbackWs();
    const server = lb.next();
    // The ws package's server refuses the tunnel's subprotocol outright ('/' is not a token character).
    const stream = await openPortStream(lb.upgrader, { path: '/api/v1/namespaces/ns/pods/p/portforward', what: 'port-forward ns/p' }, 5432, { tunnel: false });
    expect(stream.protocol).toBe('v4.channel.k8s.io');
    const s = await server;
    expect(s.protocol).toBe('v4.channel.k8s.io');
    expect(lb.requests[0]).toBe('/api/v1/namespaces/ns/pods/p/portforward?ports=5432');
    const port = Buffer.from([5432 & 0xff, 5432 >> 8]);
    s.send(Buffer.concat([Buffer.from([0]), port]));
    s.send(Buffer.concat([Buffer.from([1]), port]));
    s.send(msg(0, 'data'));
    s.send(msg(1, 'error forwarding port 5432: connection refused'));
    s.close();
    const chunks: string[] = [];
    const err = await (async () => {
      for await (const c of stream) chunks.push(Buffer.from(c).toString());
    })().catch((e: unknown) => e);
    expect(chunks).toEqual(['data']);
    expect(err).toBeInstanceOf(PortForwardError);
    expect((err as PortForwardError).reason).toBe('RemotePortError');
    expect((err as PortForwardError).message).toContain('connection refused');
    expect(await stream.done).toBe(err);
  });
});
