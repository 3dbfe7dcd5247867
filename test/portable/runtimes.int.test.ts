// The portable conformance script (test/portable/conformance.ts) on Deno and Bun (from their npm
// packages, scripts/runtimes.sh) and on Node through the fetch transport, against the real local
// control plane, importing the built dist/portable (npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const script = join(root, 'test/portable/conformance.ts');
const bin = execFileSync('bash', [join(root, 'scripts/runtimes.sh')], { encoding: 'utf8' }).trim();

const commands: Record<string, [string, string[]]> = {
  deno: [join(bin, 'deno'), ['run', '--allow-net', '--allow-read', '--allow-env', script]],
  bun: [join(bin, 'bun'), [script]],
  'node (fetch transport)': [process.execPath, ['--import', 'tsx', script]],
};

describe('the portable build passes the conformance script', () => {
  it('dist/portable is built', () => {
    expect(existsSync(join(root, 'dist/portable/index.js')), 'run npm run build first').toBe(true);
  });

  for (const [name, [cmd, args]] of Object.entries(commands)) {
    it(`on ${name}: client certificate and token, CRUD, pages, watch, informer, 404/409/403, builders, server-side apply, exec and openPort over the platform WebSocket`, () => {
      const started = Date.now();
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      console.log(`[portable] ${name}: ${Date.now() - started} ms\n${r.stdout}`);
      expect(r.status, out).toBe(0);
      expect(JSON.parse(last)).toMatchObject({ passed: 12, failed: [] });
    }, 150_000);
  }
});
