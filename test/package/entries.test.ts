/**
 * The node entry (src/index.ts) and the portable one (src/portable.ts, what browsers, Deno, Bun
 * and workers import) export the same names — values and types, read by the TypeScript
 * checker — except the ones listed here, each for a reason its build alone has.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const file = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** Needs files, processes, node:http or local ports, which the portable build does not have. */
const NODE_ONLY = [
  // kubeconfig files, merged as kubectl does: the portable build takes the text (kubeconfigConfig).
  'loadKubeconfig', 'parseKubeconfig', 'mergeKubeconfigs', 'kubeconfigFiles', 'LoadedKubeconfig', 'KubeconfigSource', 'resolveKubeconfig', 'ContextSelection',
  // in-cluster: a service account's token and CA files.
  'inClusterConfig', 'isInCluster', 'InClusterOptions',
  // credentials read from files or plugins run as processes (exec, OIDC refresh over node:https).
  'StaticTokenCredentials', 'TokenFileCredentials', 'BasicAuthCredentials', 'NoCredentials',
  'ExecCredentials', 'ExecCredentialOptions', 'ExecClusterInfo', 'OidcCredentials', 'OidcConfig', 'OidcOptions',
  // the node:http(s) transport.
  'Transport', 'TransportOptions',
  // port-forward's local listeners (node:net).
  'parsePortSpecs',
];

/** The fetch transport and the file-free config of the portable build. */
const PORTABLE_ONLY = [
  'FetchTransport', 'FetchTransportOptions', 'KyHooks', 'BearerToken', 'serverConfig', 'kubeconfigConfig', 'PortableServerOptions', 'PortableKubeconfigOptions', 'detectRuntime', 'FetchRuntime',
];

function exportsOf(program: ts.Program, path: string): Set<string> {
  const source = program.getSourceFile(path);
  if (!source) throw new Error(`${path} is not in the program`);
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`${path} has no module symbol`);
  return new Set(checker.getExportsOfModule(symbol).map((s) => s.name));
}

describe('the node and portable entries', () => {
  const index = file('src/index.ts');
  const portable = file('src/portable.ts');
  const program = ts.createProgram([index, portable], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true });
  const node = exportsOf(program, index);
  const port = exportsOf(program, portable);

  it('export the same names except the listed ones', () => {
    expect([...node].filter((n) => !port.has(n)).sort()).toEqual([...NODE_ONLY].sort());
    expect([...port].filter((n) => !node.has(n)).sort()).toEqual([...PORTABLE_ONLY].sort());
  });

  it('share the client, the verbs, the builders and the runtime', () => {
    for (const name of ['Kube', 'KubeClient', 'ResourceClient', 'applyManifests', 'parseManifests', 'applySetId', 'validate', 'loadClusterConfig', 'informer', 'Pod', 'KubeTransport', 'DebugEvent', 'Kubeconfig']) {
      expect(node.has(name) && port.has(name), name).toBe(true);
    }
    expect(node.size).toBeGreaterThan(300);
  });
});
