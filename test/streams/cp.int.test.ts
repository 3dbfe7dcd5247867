// Integration (real kube-apiserver v1.37 + kwok's ClusterExec: the container's filesystem is
// a scratch dir on this machine, commands run as `nobody` with GNU tar): cp both ways through
// tar over exec, with kubectl cp as the oracle for the download direction. (kubectl cp *to*
// a kwok pod hangs: kwok never closes a command's stdin and kubectl's archive is not padded
// to a whole tar record, so tar in the "container" waits for more; ours pads like tar(1).)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../src/kube.js';
import { AbortedError } from '../../src/core/errors.js';
import { CopyError } from '../../src/streams/errors.js';
import { extractTar } from '../../src/streams/tar-extract.js';
import { adminKubeconfig, uid } from '../client/cluster.js';
import { deleteNamespace, runningPod, streamsKube } from './support/pods.js';
import { activeResources, extraResources } from './support/resources.js';
import { digest, makeTree } from './support/tree.js';

let kube: Kube;
let ns: string;
let local: string;
let remote: string;
const name = 'p';

beforeAll(async () => {
  kube = await streamsKube();
  ({ ns } = await runningPod(kube));
  local = mkdtempSync(join(tmpdir(), 'kf-cp-'));
  remote = uid('cp');
  await run(['mkdir', '-p', remote]);
});
afterAll(async () => {
  await run(['rm', '-rf', remote]).catch(() => undefined);
  rmSync(local, { recursive: true, force: true });
  deleteNamespace(ns);
  await kube.close();
});

async function run(command: string[]): Promise<string> {
  const out = await (await kube.pods.namespace(ns).exec(name, { command })).output();
  if (out.code !== 0) throw new Error(`${command.join(' ')}: ${out.code} ${out.stderr}`);
  return out.stdout;
}

describe('cp', () => {
  it('copies a 1,000-file tree to the pod and back with identical checksums, and kubectl cp reads back the same bytes', async () => {
    const src = join(local, 'src');
    makeTree(src, 1000);
    const expected = digest(src);
    const up = await kube.pods.namespace(ns).copyToPod(name, src, `${remote}/tree`);
    expect(up.files).toBe(1000);
    expect(up.symlinks).toBe(1);

    // What the container sees, checked inside it.
    const listing = await run(['sh', '-c', `cd ${remote}/tree && find . -type f | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done`]);
    const remoteSums = Object.fromEntries(listing.trim().split('\n').map((l) => {
      const [sum, ...path] = l.split('  ');
      return [path.join('  ').replace(/^\.\//, ''), sum!];
    }));
    const localFiles = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== 'dir' && !v.startsWith('->')));
    expect(remoteSums).toEqual(localFiles);

    const ours = join(local, 'ours');
    const down = await kube.pods.namespace(ns).copyFromPod(name, `${remote}/tree`, ours);
    expect(down.files).toBe(1000);
    expect(digest(ours)).toEqual(expected);

    const theirs = join(local, 'kubectl');
    execFileSync('kubectl', ['--kubeconfig', adminKubeconfig(), '-n', ns, 'cp', `${name}:${remote}/tree`, theirs], { stdio: 'pipe' });
    // Same bytes as kubectl. kubectl skips every symlink ("warning: skipping symlink") and
    // drops the exec bits; we keep in-tree symlinks and the modes (checked against the source).
    const oursWithoutLinks = Object.fromEntries(Object.entries(digest(ours)).filter(([, v]) => !v.startsWith('->')));
    expect(digest(theirs)).toEqual(oursWithoutLinks);
    expect(digest(ours, true)).toEqual(digest(src, true));
    expect(digest(ours)['link-to-first']).toMatch(/^->d0\/e0\/file-0-/);
  }, 240_000);

  it('a caller abort mid-copy: AbortedError, nothing written locally, no handle left behind', async () => {
    const baseline = activeResources();
    const ac = new AbortController();
    const dest = join(local, 'aborted');
    const copying = kube.pods.namespace(ns).copyFromPod(name, `${remote}/tree`, dest, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('enough')), 30);
    await expect(copying).rejects.toBeInstanceOf(AbortedError);
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(local).filter((n) => n.startsWith('.kubefluent-cp-'))).toEqual([]);
    expect(await extraResources(baseline)).toEqual({});
  });

  it('copies a single file both ways, keeping its mode', async () => {
    const file = join(local, 'one.sh');
    writeFileSync(file, '#!/bin/sh\necho one\n', { mode: 0o750 });
    await kube.pods.namespace(ns).copyToPod(name, file, `${remote}/one.sh`);
    expect(await run([`${remote}/one.sh`])).toBe('one\n');
    const back = join(local, 'one-back.sh');
    const r = await kube.pods.namespace(ns).copyFromPod(name, `${remote}/one.sh`, back);
    expect(r.files).toBe(1);
    expect(digest(back, true)).toEqual(digest(file, true));
  });

  it('a missing remote path: CopyError RemoteCommandFailed with tar\'s message, nothing created locally', async () => {
    const dest = join(local, 'never');
    const err = await kube.pods.namespace(ns).copyFromPod(name, `${remote}/no-such-dir`, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyError);
    expect((err as CopyError).reason).toBe('RemoteCommandFailed');
    expect((err as CopyError).message).toMatch(/No such file or directory/);
    expect(existsSync(dest)).toBe(false);
  });

  it('a missing local path: CopyError LocalPathNotFound before anything runs', async () => {
    const err = await kube.pods.namespace(ns).copyToPod(name, join(local, 'nope'), `${remote}/x`).catch((e: unknown) => e);
    expect((err as CopyError).reason).toBe('LocalPathNotFound');
  });
});

describe('hostile archives from the pod are refused', () => {
  it('a symlink in the pod pointing out of the copied tree: UnsafeTarEntry, nothing written, no handle left', async () => {
    await run(['sh', '-c', `mkdir -p ${remote}/evil && echo ok > ${remote}/evil/fine && ln -s /etc/passwd ${remote}/evil/passwd`]);
    const baseline = activeResources();
    const dest = join(local, 'evil-out');
    const err = await kube.pods.namespace(ns).copyFromPod(name, `${remote}/evil`, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyError);
    expect((err as CopyError).reason).toBe('UnsafeTarEntry');
    expect((err as CopyError).message).toContain('/etc/passwd');
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(local).filter((n) => n.startsWith('.kubefluent-cp-'))).toEqual([]);
    expect(await extraResources(baseline)).toEqual({});
  });

  it('a crafted archive served by the container (traversal entry) is refused', async () => {
    // Build the archive here, put it in the container, and extract what the container sends back.
    const craft = join(local, 'craft');
    mkdirSync(join(craft, 'root'), { recursive: true });
    writeFileSync(join(craft, 'escape'), 'pwned');
    const tar = execFileSync('tar', ['-cf', '-', '-C', craft, '--transform', 's,^escape,root/../../escape,', 'root', 'escape']);
    const put = await kube.pods.namespace(ns).exec(name, { command: ['sh', '-c', `head -c ${tar.length} > ${remote}/evil.tar`], stdin: true });
    await put.stdin.write(tar);
    await put.stdin.end();
    expect(await put.exit).toBe(0);
    const cat = await kube.pods.namespace(ns).exec(name, { command: ['cat', `${remote}/evil.tar`] });
    const dest = join(local, 'craft-out');
    const err = await extractTar(cat.stdout, dest, { root: 'root' }).catch((e: unknown) => e);
    cat.close();
    expect(err).toBeInstanceOf(CopyError);
    expect((err as CopyError).reason).toBe('UnsafeTarEntry');
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(join(local, '..', 'escape'))).toBe(false);
  });
});
