/**
 * The esbuild plugin behind the portable build (tsup.config.ts), the bundle-size bench and
 * test/portable/no-node.test.ts: the same sources as the node build, with the node:http
 * transport and the file-reading config loader put out of the graph. `Kube` then gets the
 * fetch transport (src/transport/fetch/default-transport.ts) and a loader without files or
 * processes (src/transport/fetch/portable-load.ts); the streams layer's socket upgrade and file
 * copy become src/transport/fetch/portable-streams.ts. yaml resolves to its ESM build.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export function portablePlugin(): Plugin {
  return {
    name: 'kubefluent-portable',
    setup(build) {
      build.onResolve({ filter: /^yaml$/ }, () => ({ path: here('../node_modules/yaml/browser/index.js') }));
      // The streams layer's socket upgrade, local listener and file copy (src/streams/upgrade.ts, port-forward.ts, cp.ts).
      build.onResolve({ filter: /(^|\/)(upgrade|cp|port-forward)\.js$/ }, (a) => {
        if ((a.kind !== 'import-statement' && a.kind !== 'dynamic-import') || a.importer.includes('/src/transport/fetch/')) return undefined;
        const streams = a.importer.includes('/src/streams/') ? a.path.startsWith('./') : a.path.includes('streams/');
        return streams ? { path: here('../src/transport/fetch/portable-streams.ts') } : undefined;
      });
      build.onResolve({ filter: /(^|\/)(transport|load)\.js$/ }, (a) => {
        if ((a.kind !== 'import-statement' && a.kind !== 'dynamic-import') || a.importer.includes('/src/transport/fetch/')) return undefined;
        if (a.path.endsWith('config/load.js')) return { path: here('../src/transport/fetch/portable-load.ts') };
        if (a.path.endsWith('transport/transport.js') || (a.path === './transport.js' && a.importer.includes('/src/transport/'))) return { path: here('../src/transport/fetch/default-transport.ts') };
        return undefined;
      });
    },
  };
}
