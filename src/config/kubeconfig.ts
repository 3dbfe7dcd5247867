/**
 * Kubeconfig loading the way kubectl does it: an explicit file, else every file in
 * $KUBECONFIG merged (the first file to define a name or current-context wins), else
 * ~/.kube/config. Relative file references are resolved against the file that holds them.
 */
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { AbortedError, ConfigError } from '../core/errors.js';
import { readYamlDocument, YamlError } from '../core/yaml.js';
import { FILE_LIMITS, type LocalFileProblem, readLocalFile } from './local-file.js';
import { checkKubeconfig, ShapeIssue, type Kubeconfig, type KubeconfigCluster, type KubeconfigContext, type KubeconfigUser } from './kubeconfig-shape.js';

export type { AuthProviderConfig, ExecConfig, Kubeconfig, KubeconfigCluster, KubeconfigContext, KubeconfigUser } from './kubeconfig-shape.js';

/** A named entry together with the file it came from (for error messages and relative paths). */
export interface Sourced<T> {
  readonly name: string;
  readonly value: T;
  readonly file: string | undefined;
}

/** The merged view of one or more kubeconfig files. */
export interface LoadedKubeconfig {
  readonly currentContext: string | undefined;
  readonly clusters: ReadonlyMap<string, Sourced<KubeconfigCluster>>;
  readonly users: ReadonlyMap<string, Sourced<KubeconfigUser>>;
  readonly contexts: ReadonlyMap<string, Sourced<KubeconfigContext>>;
  /** The files that were read, in merge order. */
  readonly files: readonly string[];
}

/**
 * Parses and checks one kubeconfig document (YAML or JSON text, or an already parsed object).
 * Relative paths are resolved against `file`'s directory.
 */
export function parseKubeconfig(input: string | object, file?: string): Kubeconfig {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = readYamlDocument(input);
    } catch (cause) {
      if (!(cause instanceof YamlError)) throw cause;
      // The messages never quote values (which may be tokens): only positions and kinds of problem.
      const where = cause.problems.map((p) => `document ${p.index}, line ${p.line}: ${p.message.replace(/`[^`]*`/g, '(value)')}`).join('; ');
      throw new ConfigError(`not valid YAML as kubectl reads it (${where})`, 'MalformedConfig', {
        file, fix: 'correct the YAML syntax (indentation, quoting) of the kubeconfig',
      });
    }
  }
  if (raw === null || raw === undefined) raw = {};
  let config: Kubeconfig;
  try {
    config = checkKubeconfig(raw);
  } catch (issue) {
    if (!(issue instanceof ShapeIssue)) throw issue;
    throw new ConfigError(`malformed kubeconfig: ${issue.path === '' ? 'the document' : issue.path}: ${issue.message}`, 'MalformedConfig', {
      file, field: issue.path === '' ? undefined : issue.path,
      fix: 'compare the file with `kubectl config view` output; clusters, users and contexts are lists of {name, cluster|user|context}',
    });
  }
  return file === undefined ? config : resolvePaths(config, dirname(file));
}

function abs(base: string, p: string | null | undefined): string | null | undefined {
  if (p === undefined || p === null || p === '' || isAbsolute(p)) return p;
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  return resolve(base, p);
}

function resolvePaths(cfg: Kubeconfig, base: string): Kubeconfig {
  return {
    ...cfg,
    clusters: cfg.clusters?.map((c) => (c.cluster ? {
      ...c,
      cluster: { ...c.cluster, 'certificate-authority': abs(base, c.cluster['certificate-authority']) },
    } : c)),
    users: cfg.users?.map((u) => {
      if (!u.user) return u;
      const exec = u.user.exec;
      return {
        ...u,
        user: {
          ...u.user,
          'client-certificate': abs(base, u.user['client-certificate']),
          'client-key': abs(base, u.user['client-key']),
          tokenFile: abs(base, u.user.tokenFile),
          // Like client-go: a bare command name is looked up in PATH; only "./x" or "dir/x" is a file path.
          exec: exec && exec.command && !isAbsolute(exec.command) && exec.command.includes(sep) ? { ...exec, command: resolve(base, exec.command) } : exec,
        },
      };
    }),
  };
}

/** Merges documents by kubectl's rules: for each name and for current-context, the first definition wins. */
export function mergeKubeconfigs(docs: readonly { readonly config: Kubeconfig; readonly file?: string | undefined }[]): LoadedKubeconfig {
  const clusters = new Map<string, Sourced<KubeconfigCluster>>();
  const users = new Map<string, Sourced<KubeconfigUser>>();
  const contexts = new Map<string, Sourced<KubeconfigContext>>();
  let currentContext: string | undefined;
  for (const { config, file } of docs) {
    if (currentContext === undefined && config['current-context']) currentContext = config['current-context'];
    // As in clientcmd, a missing name is the name "": kept, and found by a context that names "" (or nothing).
    for (const c of config.clusters ?? []) {
      const name = c.name ?? '';
      if (!clusters.has(name)) clusters.set(name, { name, value: c.cluster ?? {}, file });
    }
    for (const u of config.users ?? []) {
      const name = u.name ?? '';
      if (!users.has(name)) users.set(name, { name, value: u.user ?? {}, file });
    }
    for (const c of config.contexts ?? []) {
      const name = c.name ?? '';
      if (!contexts.has(name)) contexts.set(name, { name, value: c.context ?? {}, file });
    }
  }
  return { currentContext, clusters, users, contexts, files: docs.flatMap((d) => (d.file ? [d.file] : [])) };
}

/** Where to look for kubeconfig files. */
export interface KubeconfigSource {
  /** One explicit file (or several, merged), instead of $KUBECONFIG and ~/.kube/config. */
  readonly path?: string | readonly string[];
  /** An already-loaded document (YAML text or object). */
  readonly config?: string | Kubeconfig;
  /** Environment to read KUBECONFIG from; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for ~/.kube/config; defaults to os.homedir(). */
  readonly homeDir?: string;
  readonly signal?: AbortSignal;
}

async function readConfigFile(file: string, required: boolean, signal?: AbortSignal): Promise<Kubeconfig | undefined> {
  let text: string;
  try {
    text = await readLocalFile(file, FILE_LIMITS.kubeconfig, signal);
  } catch (cause) {
    if (signal?.aborted) throw new AbortedError(`reading ${file}`, signal.reason);
    const p = cause as LocalFileProblem;
    if (!required && p.code === 'ENOENT') return undefined;
    throw new ConfigError(p.code === 'ENOENT' ? 'file does not exist' : `file ${p.what}`, 'FileUnreadable', {
      file, fix: p.code === 'EACCES' ? 'make the file readable by this process' : p.code === 'ENOENT' ? 'check the path (or $KUBECONFIG)' : 'point the path (or $KUBECONFIG) at a kubeconfig file', cause,
    });
  }
  return parseKubeconfig(text, file);
}

/** The kubeconfig files kubectl would read, in merge order (`files`), and whether they must exist. */
export function kubeconfigFiles(source: KubeconfigSource = {}): { files: string[]; explicit: boolean } {
  if (source.path !== undefined) {
    const list = typeof source.path === 'string' ? [source.path] : [...source.path];
    return { files: list, explicit: true };
  }
  const env = source.env ?? process.env;
  const fromEnv = env.KUBECONFIG;
  if (fromEnv !== undefined && fromEnv !== '') {
    const seen = new Set<string>();
    const files = fromEnv.split(delimiter).filter((f) => f !== '' && !seen.has(f) && seen.add(f));
    return { files, explicit: false };
  }
  return { files: [join(source.homeDir ?? homedir(), '.kube', 'config')], explicit: false };
}

/**
 * Loads and merges kubeconfig files. Missing files listed in $KUBECONFIG are skipped, as
 * kubectl does; an explicit path that is missing is an error.
 */
export async function loadKubeconfig(source: KubeconfigSource = {}): Promise<LoadedKubeconfig> {
  if (source.config !== undefined) {
    return mergeKubeconfigs([{ config: parseKubeconfig(source.config) }]);
  }
  const { files, explicit } = kubeconfigFiles(source);
  const docs: { config: Kubeconfig; file: string }[] = [];
  for (const file of files) {
    const config = await readConfigFile(file, explicit, source.signal);
    if (config) docs.push({ config, file });
  }
  if (docs.length === 0) {
    throw new ConfigError(`no kubeconfig found (looked at ${files.join(', ')})`, 'NoConfig', {
      fix: 'set $KUBECONFIG, create ~/.kube/config, pass { kubeconfig: path }, or run inside a cluster',
    });
  }
  return mergeKubeconfigs(docs);
}
