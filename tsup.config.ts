import { defineConfig } from 'tsup';

/**
 * dist/: ESM (`.js`) and CJS (`.cjs`) for each entry, with types for both (`.d.ts`, `.d.cts`),
 * matching package.json's `exports`. The library proper never imports testenv; it is its
 * own entry.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    builders: 'src/builders.ts',
    models: 'src/models.ts',
    testenv: 'src/testenv.ts',
  },
  format: ['esm', 'cjs'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
  dts: true,
  target: 'node20',
  platform: 'node',
  treeshake: true,
  splitting: true,
  // No source maps in the package: they would triple its size on disk.
  sourcemap: false,
  clean: true,
  // ky is ESM-only: a CJS build that leaves it external fails at call time
  // (`import_ky.default.get is not a function`), so it is bundled into both outputs.
  noExternal: ['ky'],
  // Dependencies the user installs alongside us; zod stays one copy so schemas interoperate.
  external: ['zod', 'undici', 'yaml'],
});
