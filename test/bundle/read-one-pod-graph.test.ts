/**
 * What a page that reads one Pod (`new Kube(serverConfig({ server }))`, then a get) imports
 * before its first request: the client, config and transport, and not kubectl's verbs, yaml,
 * the streams or the generated schemas and zod, which load on first use through `import()`.
 * A static import of one of them would put it back in every page's first load (the browser
 * bundle goal of issue 18: bench/lib/portable-bundle.ts measures the size).
 * The module graph is read from esbuild's metafile, with the portable build's plugin.
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { portablePlugin } from '../../scripts/portable-plugin.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Modules that must come only through a dynamic import. */
const LAZY = [
  /node_modules\/yaml\//,
  /node_modules\/zod\//,
  /^generated\/schemas\.ts$/,
  /^src\/ops\/(manifests|manifest-parse|workloads|applyset)\.ts$/,
  /^src\/core\/yaml\.ts$/,
  /^src\/streams\/(exec|cp|tar|tar-extract|port-forward|port-stream|upgrade|channels)\.ts$/,
  /^src\/transport\/fetch\/portable-(kubeconfig|streams)\.ts$/,
];

interface Graph {
  /** Every module the entries reach, and how. */
  readonly statically: ReadonlySet<string>;
  readonly all: ReadonlySet<string>;
}

async function graph(entries: readonly string[]): Promise<Graph> {
  const out = await esbuild.build({
    entryPoints: entries.map((e) => `${root}${e}`), absWorkingDir: root, bundle: true, write: false, metafile: true, splitting: true, format: 'esm',
    platform: 'browser', outdir: `${root}.tmp/graph`, logLevel: 'silent', plugins: [portablePlugin()],
  });
  const inputs = out.metafile.inputs;
  const statically = new Set<string>();
  const visit = (path: string): void => {
    if (statically.has(path)) return;
    statically.add(path);
    for (const i of inputs[path]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  for (const e of entries) visit(e);
  return { statically, all: new Set(Object.keys(inputs)) };
}

describe('the first load of a page that reads one Pod', () => {
  let g: Graph;
  beforeAll(async () => {
    g = await graph(['src/kube.ts', 'src/transport/fetch/portable-config.ts']);
  });

  it('imports the client, config and fetch transport statically', () => {
    for (const m of ['src/client/kube.ts', 'src/client/resource-client.ts', 'src/transport/fetch/fetch-transport.ts', 'generated/resources.ts']) expect(g.statically.has(m), m).toBe(true);
  });

  it('reaches the verbs, yaml, the streams, the schemas and zod only through import()', () => {
    const lazy = [...g.all].filter((m) => LAZY.some((re) => re.test(m)));
    // They are in the graph (Kube can still apply manifests and exec), just not in the first load.
    for (const must of ['src/ops/manifests.ts', 'src/streams/exec.ts', 'generated/schemas.ts', 'src/transport/fetch/portable-kubeconfig.ts']) expect(lazy, must).toContain(must);
    expect(lazy.some((m) => m.includes('node_modules/yaml/'))).toBe(true);
    expect(lazy.filter((m) => g.statically.has(m))).toEqual([]);
  });
});
