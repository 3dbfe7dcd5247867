// Integration: runs examples/exec.ts, examples/port-forward.ts and examples/cp.ts as a user
// would (tsx, KUBECONFIG pointing at the local control plane) and checks what they print.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);

async function example(file: string): Promise<string> {
  const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, KUBECONFIG: process.env.KUBEFLUENT_TEST_KUBECONFIG! },
    timeout: 120_000,
  });
  expect(stderr).not.toMatch(/Error/);
  return stdout;
}

describe('streams examples', () => {
  it('examples/exec.ts', async () => {
    const out = await example('examples/exec.ts');
    expect(out).toContain('exit 0, stdout "hello from');
    expect(out).toContain('stderr "a warning\\n"');
    expect(out).toContain('streamed: HELLO WORLD');
    expect(out).toContain('ExecError ExecFailed');
    expect(out).toContain('no-such-command');
  }, 150_000);

  it('examples/port-forward.ts', async () => {
    const out = await example('examples/port-forward.ts');
    expect(out).toMatch(/forwarding 127\.0\.0\.1:\d+ -> web:8080/);
    expect(out).toContain('three concurrent requests through the forwarder: 200, 200, 200');
    expect(out).toContain('direct stream: HTTP/1.1 200 OK');
  }, 150_000);

  it('examples/cp.ts', async () => {
    const out = await example('examples/cp.ts');
    expect(out).toContain('to the pod: 2 files, 2 directories, 34 bytes');
    expect(out).toMatch(/in the pod:\n.*index\.html/);
    expect(out).toContain('back: 2 files; index.html = "<h1>hello</h1>\\n"');
  }, 150_000);
});
