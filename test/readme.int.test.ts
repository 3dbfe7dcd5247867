// Integration: every ```ts block of README.md runs, in order, against the local control
// plane (KUBECONFIG points at it), as a user would run it with tsx.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..');
const dir = join(root, '.tmp', `readme-${process.pid}`);
const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('has examples to run', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  blocks.forEach((code, i) => {
    const title = code.split('\n').find((l) => !l.startsWith('import') && l.trim() !== '') ?? '';
    it(`example ${i + 1} runs: ${title.slice(0, 70)}`, async () => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `example-${i + 1}.mts`);
      writeFileSync(file, code);
      const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', file], {
        cwd: root,
        env: { ...process.env, KUBECONFIG: process.env.KUBEFLUENT_TEST_KUBECONFIG! },
        timeout: 120_000,
      });
      expect(stderr).not.toMatch(/Error/);
      expect(stdout.length).toBeGreaterThan(0);
    }, 150_000);
  });
});
