// Integration (real kube-apiserver v1.37 + kwok's ClusterExec/ClusterAttach, which run the
// command on this machine as `nobody` in a scratch dir): exec and attach over
// v5.channel.k8s.io (translated by the API server) and v4.channel.k8s.io (passed through to
// kwok), with kubectl as the oracle. kwok does not pass exit codes through (it answers
// InternalError "exit status N"; kubectl then exits 1) and never closes a command's stdin:
// the NonZeroExitCode and stdin-close paths are shown against a scripted server in
// exec-protocol.test.ts.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, BadRequestError, ForbiddenError, NotFoundError } from '../../src/core/errors.js';
import { Kube } from '../../src/kube.js';
import { DEFAULT_CONTAINER_ANNOTATION, type DefaultContainerNotice } from '../../src/streams/default-container.js';
import { ExecError } from '../../src/streams/errors.js';
import { adminKubeconfig, kubectl, restrictedKubeconfig, uid } from '../client/cluster.js';
import { connectAs, deleteNamespace, runningPod, streamsKube } from './support/pods.js';
import { activeResources, extraResources } from './support/resources.js';
import { tcpProxy } from './support/tcp-proxy.js';

let kube: Kube;
let ns: string;
const name = 'p';

beforeAll(async () => {
  kube = await streamsKube();
  ({ ns } = await runningPod(kube));
  await runningPod(kube, { namespace: ns, name: 'two', sidecar: true });
});
afterAll(async () => {
  deleteNamespace(ns);
  await kube.close();
});

const text = async (it: AsyncIterable<Uint8Array>): Promise<string> => {
  let s = '';
  for await (const c of it) s += Buffer.from(c).toString('utf8');
  return s;
};

describe('exec', () => {
  it('keeps stdout and stderr apart and reports exit code 0 (v5, through the API server translator)', async () => {
    const p = await kube.pods.namespace(ns).exec(name, { command: ['sh', '-c', 'echo to-out; echo to-err >&2; echo "$KUBEFLUENT_TESTENV"'] });
    expect(p.protocol).toBe('v5.channel.k8s.io');
    expect(await p.output()).toEqual({ code: 0, stdout: 'to-out\nexec\n', stderr: 'to-err\n' });
  });

  it('runs in the named container of a two-container pod; without one, in kubectl\'s default container, with its notice', async () => {
    const out = await (await kube.pods.namespace(ns).exec('two', { command: ['echo', 'side'], container: 'side' })).output();
    expect(out.stdout).toBe('side\n');
    // The server refuses a container-less call on a two-container pod ("choose one of: [main side]");
    // the client then reads the pod and takes the first container, as kubectl exec does.
    const notices: DefaultContainerNotice[] = [];
    const p = await kube.pods.namespace(ns).exec('two', { command: ['echo', 'defaulted'], onDefaultContainer: (n) => notices.push(n) });
    expect((await p.output()).stdout).toBe('defaulted\n');
    expect(notices).toEqual([{ container: 'main', containers: ['main', 'side'], from: 'first', message: 'Defaulted container "main" out of: main, side' }]);
    // A wrong container name is still the server's BadRequestError, not a default.
    const err = await kube.pods.namespace(ns).exec('two', { command: ['true'], container: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
  });

  it('the kubectl.kubernetes.io/default-container annotation picks the container for exec and logs, as kubectl does (silently)', async () => {
    const pods = kube.pods.namespace(ns);
    await pods.patch('two', { metadata: { annotations: { [DEFAULT_CONTAINER_ANNOTATION]: 'side' } } });
    try {
      const notices: DefaultContainerNotice[] = [];
      const p = await pods.exec('two', { command: ['true'], onDefaultContainer: (n) => notices.push(n) });
      expect((await p.output()).code).toBe(0);
      const logs = await pods.logs('two', { onDefaultContainer: (n) => notices.push(n) });
      expect(logs).toBe(kubectl(['logs', '-n', ns, 'two']));
      expect(notices.map((n) => [n.container, n.from])).toEqual([['side', 'annotation'], ['side', 'annotation']]);
      // kubectl says nothing for an annotated default; neither do we (console.warn is untouched).
      const warn = console.warn;
      const warned: unknown[] = [];
      console.warn = (...a: unknown[]) => void warned.push(a);
      try {
        for await (const line of pods.followLogs('two', { signal: AbortSignal.timeout(2_000) })) { expect(line).toContain('kubefluent testenv'); break; }
      } finally {
        console.warn = warn;
      }
      expect(warned).toEqual([]);
    } finally {
      await pods.patch('two', { metadata: { annotations: { [DEFAULT_CONTAINER_ANNOTATION]: null } } } as never);
    }
  });

  it('a non-zero exit: kwok reports it as a failed Status, and kubectl fails the same way', async () => {
    const p = await kube.pods.namespace(ns).exec(name, { command: ['sh', '-c', 'echo before; exit 3'] });
    const stdout = text(p.stdout);
    const err = await p.exit.catch((e: unknown) => e);
    expect(await stdout).toBe('before\n');
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).reason).toBe('ExecFailed');
    expect((err as ExecError).status?.message).toContain('exit status 3');
    // The oracle: kubectl gets the same Status from kwok and exits 1 with the same text.
    let kubectlErr = '';
    try {
      kubectl(['-n', ns, 'exec', name, '--', 'sh', '-c', 'echo before; exit 3']);
    } catch (e) {
      kubectlErr = String((e as { stderr?: string }).stderr);
    }
    expect(kubectlErr).toContain('exit status 3');
  });

  it('gives the same bytes as kubectl exec for the same command (oracle)', async () => {
    const cmd = ['sh', '-c', 'seq 1 200000; printf "\\000\\001\\377 binary"'];
    const ours = await kube.pods.namespace(ns).exec(name, { command: cmd });
    const parts: Uint8Array[] = [];
    for await (const c of ours.stdout) parts.push(c);
    expect(await ours.exit).toBe(0);
    const theirs = kubectlBytes(['-n', ns, 'exec', name, '--', ...cmd]);
    expect(Buffer.concat(parts).equals(theirs)).toBe(true);
    expect(theirs.length).toBeGreaterThan(1_000_000);
  });

  it('round-trips 50 MB stdin → stdout with a matching checksum', async () => {
    const size = 50 * 1024 * 1024;
    const data = randomBytes(size);
    // kwok never closes the command's stdin, so the command reads exactly `size` bytes.
    const p = await kube.pods.namespace(ns).exec(name, { command: ['head', '-c', String(size)], stdin: true });
    const hash = createHash('sha256');
    let received = 0;
    const reading = (async () => {
      for await (const c of p.stdout) {
        hash.update(c);
        received += c.length;
      }
    })();
    for (let at = 0; at < size; at += 1 << 20) await p.stdin.write(data.subarray(at, at + (1 << 20)));
    await p.stdin.end();
    await reading;
    expect(await p.exit).toBe(0);
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  }, 240_000);

  it('runs with a tty and applies resize', async () => {
    // The sleep lets kwok copy the pty output out before it closes the pty.
    const p = await kube.pods.namespace(ns).exec(name, { command: ['sh', '-c', 'read x; stty size; sleep 0.5'], stdin: true, tty: true });
    await p.resize({ cols: 123, rows: 45 });
    await new Promise((r) => setTimeout(r, 200));
    await p.stdin.write('go\r');
    const out = await text(p.stdout);
    expect(out).toContain('45 123');
    expect(await p.exit).toBe(0);
  });

  it('falls back to v4.channel.k8s.io (proxied to the node): output and exit status as with v5', async () => {
    const p = await kube.pods.namespace(ns).exec(name, { command: ['sh', '-c', 'echo v4-out; echo v4-err >&2'], protocols: ['v4.channel.k8s.io'] });
    expect(p.protocol).toBe('v4.channel.k8s.io');
    expect(await p.output()).toEqual({ code: 0, stdout: 'v4-out\n', stderr: 'v4-err\n' });
  });

  it('aborts a running command: AbortedError, and no handle left behind', async () => {
    const baseline = activeResources();
    const ac = new AbortController();
    const p = await kube.pods.namespace(ns).exec(name, { command: ['sleep', '30'], signal: ac.signal });
    const t0 = Date.now();
    setTimeout(() => ac.abort(new Error('test abort')), 300);
    await expect(p.exit).rejects.toBeInstanceOf(AbortedError);
    await expect(text(p.stdout)).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await extraResources(baseline)).toEqual({});
  });
});

describe('exec faults end in typed errors', () => {
  it('a wrong container name: BadRequestError before anything starts', async () => {
    const err = await kube.pods.namespace(ns).exec(name, { command: ['true'], container: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain('container nope is not valid');
  });

  it('a command that does not exist: ExecError ExecFailed naming it', async () => {
    const p = await kube.pods.namespace(ns).exec(name, { command: ['no-such-command-kf'] });
    const err = await p.exit.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).reason).toBe('ExecFailed');
    expect((err as ExecError).message).toContain('no-such-command-kf');
  });

  it('a pod that does not exist: NotFoundError; a pod not running: BadRequestError', async () => {
    await expect(kube.pods.namespace(ns).exec('ghost', { command: ['true'] })).rejects.toBeInstanceOf(NotFoundError);
    const pending = uid('pending');
    await kube.pods.namespace(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pending }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'main', image: 'busybox' }] } });
    const err = await kube.pods.namespace(ns).exec(pending, { command: ['true'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toMatch(/does not have a host assigned/);
  });

  it('the restricted user (bearer token): exec works in its namespace, Forbidden elsewhere', async () => {
    const restricted = await connectAs(restrictedKubeconfig());
    try {
      const own = await runningPod(kube, { namespace: 'restricted', name: uid('p') });
      const out = await (await restricted.pods.namespace(own.ns).exec(own.name, { command: ['echo', 'token-auth'] })).output();
      expect(out.stdout).toBe('token-auth\n');
      const err = await restricted.pods.namespace(ns).exec(name, { command: ['true'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ForbiddenError);
      expect((err as ForbiddenError).message).toContain('pods/exec');
      expect((err as ForbiddenError).message).not.toContain(readFileSync(restrictedKubeconfig(), 'utf8').match(/token: (\S+)/)?.[1] ?? 'no-token');
    } finally {
      await restricted.close();
    }
  });

  it('the connection cut mid-stream (through a TCP proxy): ExecError ConnectionLost, nothing hangs or stays open', async () => {
    const baseline = activeResources();
    const relay = await tcpProxy(kube.transport.config);
    const viaProxy = new Kube(relay.config);
    try {
      const p = await viaProxy.pods.namespace(ns).exec(name, { command: ['sh', '-c', 'echo started; sleep 30'] });
      const it = p.stdout[Symbol.asyncIterator]();
      expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe('started\n');
      relay.cut();
      const err = await p.exit.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExecError);
      expect((err as ExecError).reason).toBe('ConnectionLost');
      await expect(it.next()).rejects.toMatchObject({ reason: 'ConnectionLost' });
    } finally {
      await viaProxy.close();
      await relay.close();
    }
    expect(await extraResources(baseline)).toEqual({});
  });
});

describe('attach', () => {
  it('reads what the container writes (kwok attaches to the end of the container log)', async () => {
    const p = await kube.pods.namespace(ns).attach(name, { stdout: true, stderr: false });
    const marker = `attached-${randomBytes(4).toString('hex')}`;
    // kwok's ClusterAttach follows the log file of the testenv data dir from its end.
    const logFile = join(dataDir(), 'pod.log');
    const it = p.stdout[Symbol.asyncIterator]();
    let got = '';
    const deadline = Date.now() + 20_000;
    while (!got.includes(marker) && Date.now() < deadline) {
      appendFileSync(logFile, `2026-01-01T00:00:09.000000000Z stdout F ${marker}\n`);
      const next = await Promise.race([it.next(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))]);
      if (next && !next.done) got += Buffer.from(next.value).toString();
    }
    expect(got).toContain(marker);
    p.close();
    await expect(p.exit).rejects.toBeInstanceOf(AbortedError);
  });
});

function dataDir(): string {
  if (process.env.KUBEFLUENT_TEST_DATA_DIR) return process.env.KUBEFLUENT_TEST_DATA_DIR;
  const state = JSON.parse(readFileSync(join(dirname(adminKubeconfig()), 'state.json'), 'utf8')) as { dataDir: string };
  return state.dataDir;
}

function kubectlBytes(args: string[]): Buffer {
  // No encoding: the bytes as they came.
  return execFileSync('kubectl', ['--kubeconfig', adminKubeconfig(), ...args], { maxBuffer: 1 << 28 });
}
