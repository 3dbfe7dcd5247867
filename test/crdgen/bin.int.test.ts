/**
 * The built `kubefluent` command (package.json bin → dist/cli.js, as `npm test` builds it):
 * it runs from the package as shipped and writes exactly the committed test output.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const exec = promisify(execFile);

describe('the built kubefluent command', () => {
  it('is the package bin and reproduces test/crdgen/generated (generate-crds --check)', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    expect(pkg.bin).toEqual({ kubefluent: './dist/cli.js' });
    const bin = join(REPO, 'dist', 'cli.js');
    if (!existsSync(bin)) throw new Error('dist/cli.js is missing: `npm test` builds it first (npm run build)');
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const { stdout } = await exec(process.execPath, [bin, 'generate-crds', 'test/crdgen/crds', '--out', 'test/crdgen/generated', '--check'], { cwd: REPO, encoding: 'utf8' });
    expect(stdout.trim()).toBe('test/crdgen/generated is up to date (2 CRDs, 3 versions)');
  });
});
