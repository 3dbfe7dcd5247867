// The portable build's graph (src/portable.ts and kubefluent/builders through the swap plugin, as
// tsup builds dist/portable) reaches no `node:` module and no Node global, bundled for a browser
// with nothing external: a node import anywhere would fail the bundle.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { portablePlugin } from '../../scripts/portable-plugin.js';

async function bundle(entry: string): Promise<{ inputs: string[]; code: string }> {
  const r = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent', plugins: [portablePlugin()] });
  return { inputs: Object.keys(r.metafile.inputs), code: r.outputFiles.map((f) => f.text).join('\n') };
}

describe('the portable build has no node: imports', () => {
  it('src/portable.ts bundles for the browser with nothing external; no node transport, connection layer or file loader inside', async () => {
    const { inputs, code } = await bundle('src/portable.ts');
    expect(inputs.filter((f) => f.startsWith('node:'))).toEqual([]);
    for (const nodeOnly of ['src/transport/transport.ts', 'src/transport/wire.ts', 'src/net/connector.ts', 'src/net/body.ts', 'src/config/load.ts', 'src/config/kubeconfig.ts', 'src/config/exec-credential.ts', 'src/config/credentials.ts']) {
      expect(inputs, nodeOnly).not.toContain(nodeOnly);
    }
    expect(inputs).toContain('src/transport/fetch/fetch-transport.ts');
    expect(inputs.some((f) => f.includes('node_modules/ky/'))).toBe(true);
    // Node globals would be a ReferenceError in a page. esbuild marks each module with a
    // `// path` comment. The streams (exec, attach, openPort) run here over the platform
    // WebSocket, so they carry no Buffer either.
    const modules = code.split(/^\/\/ (?=\S+\.[cm]?[jt]s$)/m).map((m) => ({ file: m.slice(0, m.indexOf('\n')), body: m }));
    expect(modules.length).toBeGreaterThan(50);
    const offenders = modules.filter((m) => /\bprocess\.(env|version|platform|arch)\b|\brequire\(|\bBuffer\./.test(m.body));
    expect(offenders.map((m) => m.file)).toEqual([]);
    for (const streams of ['src/transport/fetch/portable-streams.ts', 'src/transport/fetch/platform-websocket.ts', 'src/streams/exec.ts', 'src/streams/port-stream.ts']) expect(inputs).toContain(streams);
    for (const nodeOnly of ['src/net/websocket-node.ts', 'src/streams/upgrade.ts', 'src/streams/cp.ts', 'src/streams/port-forward.ts']) expect(inputs).not.toContain(nodeOnly);
  }, 60_000);

  it('kubefluent/builders bundles for the browser as it is', async () => {
    const { inputs } = await bundle('src/builders.ts');
    expect(inputs.filter((f) => f.startsWith('node:'))).toEqual([]);
  }, 60_000);
});
