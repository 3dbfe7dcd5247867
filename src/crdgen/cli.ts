/**
 * `kubefluent generate-crds`: the command-line shell over {@link generateCrds}. Parses the
 * arguments, prints a one-line summary or the error (with the file and JSONPath), and answers
 * with an exit code: 0 done, 1 the input or output was refused (nothing written), 2 a usage error.
 */
import { parseArgs } from 'node:util';
import { KubeClient } from '../client/kube.js';
import { KubefluentError } from '../core/errors.js';
import { CrdGenError } from './errors.js';
import { generateCrds } from './generate.js';

export const GENERATE_CRDS_HELP = `Usage:
  kubefluent generate-crds <file|dir>... --out <dir>
  kubefluent generate-crds --from-cluster [--group <group>] [--crd <name>]... [--context <name>] --out <dir>

Generates TypeScript types, strict and loose validators (zod, usable as Standard Schema) and a
resource spec for every served version of each CustomResourceDefinition, so that
kube.customResource(Certificate) gives a typed, validated handle.

Input:
  <file|dir>...          CRD manifests: YAML (multi-document) or JSON files, Lists, and
                         directories of them (*.yaml, *.yml, *.json, recursively). Other kinds
                         in the files are skipped.
  --from-cluster         read the CRDs installed in the cluster of the current kubeconfig context
  --group <group>        with --from-cluster: only the CRDs of this API group
  --crd <name>           with --from-cluster: only this CRD (<plural>.<group>, as 'kubectl get
                         crd' lists it); repeat it for several. A name not installed is an error.
  --context <name>       with --from-cluster: use this kubeconfig context
  --kubeconfig <path>    with --from-cluster: use this kubeconfig file

Output:
  -o, --out <dir>        the output directory: <group>/<version>/<kind>.ts, an index.ts per
                         group/version, and _support.ts. It is replaced as a whole, in one step,
                         and only if it is new, empty, or was made by generate-crds.
  --check                write nothing; exit 1 and list the files if --out is not up to date
  -h, --help             show this help

The generated files import 'zod' (version 4; add it to your dependencies) and types from
'kubefluent'. Output is byte-for-byte reproducible: commit it, and run with --check in CI.

Example:
  npx kubefluent generate-crds deploy/crds --out src/generated/crds
  import { Certificate } from './generated/crds/cert-manager.io/v1/index.js';
  const certs = kube.customResource(Certificate).namespace('default');
`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly cwd?: string;
}

/** Runs `generate-crds` with its arguments (after the subcommand); resolves to the exit code. */
export async function generateCrdsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        'from-cluster': { type: 'boolean' },
        group: { type: 'string' },
        crd: { type: 'string', multiple: true },
        context: { type: 'string' },
        kubeconfig: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`generate-crds: ${(err as Error).message}\n\n${GENERATE_CRDS_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(GENERATE_CRDS_HELP);
    return 0;
  }
  const usage = (message: string): number => {
    io.err(`generate-crds: ${message}\nRun 'kubefluent generate-crds --help' for the usage.`);
    return 2;
  };
  if (values.out === undefined) return usage('--out <dir> is required');
  const fromCluster = values['from-cluster'] === true;
  if (fromCluster && positionals.length > 0) return usage('give either files/directories or --from-cluster, not both');
  if (!fromCluster && positionals.length === 0) return usage('give CRD files or directories, or --from-cluster');
  if (!fromCluster && (values.group !== undefined || values.crd !== undefined || values.context !== undefined || values.kubeconfig !== undefined)) {
    return usage('--group, --crd, --context and --kubeconfig go with --from-cluster');
  }
  let kube: KubeClient | undefined;
  try {
    if (fromCluster) {
      try {
        kube = await KubeClient.connect({ ...(values.context !== undefined ? { context: values.context } : {}), ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}) });
      } catch (err) {
        if (err instanceof KubefluentError) throw new CrdGenError('ClusterUnreachable', 'kubeconfig', '', err.message, { cause: err });
        throw err;
      }
    }
    const r = await generateCrds({
      outDir: values.out,
      ...(kube ? { cluster: { kube, ...(values.group !== undefined ? { group: values.group } : {}), ...(values.crd !== undefined ? { names: values.crd } : {}) } } : { inputs: positionals }),
      ...(values.check ? { check: true } : {}),
    });
    if (values.check) {
      if (r.outOfDate.length > 0) {
        io.err(`generate-crds --check: ${values.out} is not up to date (${r.outOfDate.length} file${r.outOfDate.length === 1 ? '' : 's'}):\n${r.outOfDate.map((f) => `  ${f}`).join('\n')}\nRegenerate without --check.`);
        return 1;
      }
      io.out(`${values.out} is up to date (${r.crds} CRDs, ${r.versions} versions)`);
      return 0;
    }
    io.out(`generated ${r.versions} version${r.versions === 1 ? '' : 's'} of ${r.crds} CRD${r.crds === 1 ? '' : 's'}: ${r.files.length} files, ${Math.round(r.bytes / 1024)} KiB in ${r.milliseconds} ms → ${values.out}`);
    return 0;
  } catch (err) {
    if (err instanceof CrdGenError) {
      io.err(`generate-crds: ${err.message}\n(${err.reason}; nothing was written to ${values.out})`);
      return 1;
    }
    throw err;
  } finally {
    await kube?.close();
  }
}
