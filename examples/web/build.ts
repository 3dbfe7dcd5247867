/**
 * Bundles the demo page into a folder `kubectl proxy --www` can serve:
 *
 *   npx tsx examples/web/build.ts [outDir]      (default examples/web/www)
 *   kubectl proxy --www=examples/web/www --www-prefix=/ui/ --api-prefix=/
 *   open http://127.0.0.1:8001/ui/?ns=default
 *
 * `kubefluent` is the portable build (the same swap as dist/portable: fetch transport, no node:).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { portablePlugin } from '../../scripts/portable-plugin.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export async function buildDemo(outDir: string = here('./www')): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [here('./app.ts')], outfile: join(outDir, 'app.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
    logLevel: 'warning', plugins: [portablePlugin()], tsconfigRaw: '{}',
    alias: { 'kubefluent/portable': here('../../src/portable.ts'), 'kubefluent/builders': here('../../src/builders.ts'), kubefluent: here('../../src/portable.ts') },
  });
  copyFileSync(here('./index.html'), join(outDir, 'index.html'));
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) console.log(await buildDemo(process.argv[2]));
