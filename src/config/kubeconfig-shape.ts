/**
 * The shape of a kubeconfig document, and a check of it that names the field and says what
 * was expected: `contexts[1].context.cluster: expected a string, got a number`. Unknown fields
 * pass (kubectl writes more than we read); null counts as absent, as in kubectl's YAML.
 */

type Loose = { [key: string]: unknown };

/** A kubeconfig user's `exec` credential plugin. */
export interface ExecConfig extends Loose {
  apiVersion: string;
  /** Required to run the plugin; checked when the user is selected, as kubectl does. */
  command: string;
  args?: string[] | null | undefined;
  env?: { name: string; value: string }[] | null | undefined;
  installHint?: string | null | undefined;
  provideClusterInfo?: boolean | null | undefined;
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always' | null | undefined;
}

/** A kubeconfig user's `auth-provider` (oidc is the one kubefluent runs). */
export interface AuthProviderConfig extends Loose {
  name: string;
  config?: Record<string, string> | null | undefined;
}

/** A kubeconfig `clusters[].cluster` entry. */
export interface KubeconfigCluster extends Loose {
  /** Required to use the cluster; checked when it is selected, as kubectl does. */
  server?: string | null | undefined;
  'certificate-authority'?: string | null | undefined;
  'certificate-authority-data'?: string | null | undefined;
  'insecure-skip-tls-verify'?: boolean | null | undefined;
  'tls-server-name'?: string | null | undefined;
  'proxy-url'?: string | null | undefined;
  'disable-compression'?: boolean | null | undefined;
}

/** A kubeconfig `users[].user` entry. */
export interface KubeconfigUser extends Loose {
  'client-certificate'?: string | null | undefined;
  'client-certificate-data'?: string | null | undefined;
  'client-key'?: string | null | undefined;
  'client-key-data'?: string | null | undefined;
  token?: string | null | undefined;
  tokenFile?: string | null | undefined;
  as?: string | null | undefined;
  'as-uid'?: string | null | undefined;
  'as-groups'?: string[] | null | undefined;
  'as-user-extra'?: Record<string, string[]> | null | undefined;
  username?: string | null | undefined;
  password?: string | null | undefined;
  exec?: ExecConfig | null | undefined;
  'auth-provider'?: AuthProviderConfig | null | undefined;
}

/** A kubeconfig `contexts[].context` entry. */
export interface KubeconfigContext extends Loose {
  cluster?: string | null | undefined;
  user?: string | null | undefined;
  namespace?: string | null | undefined;
}

/** One kubeconfig document, as written by kubectl. */
export interface Kubeconfig extends Loose {
  apiVersion?: string | null | undefined;
  kind?: string | null | undefined;
  'current-context'?: string | null | undefined;
  /** A missing name is the name "" (kubectl keeps such entries; a context naming "" finds them). */
  clusters?: (Loose & { name?: string | null | undefined; cluster?: KubeconfigCluster | null | undefined })[] | null | undefined;
  users?: (Loose & { name?: string | null | undefined; user?: KubeconfigUser | null | undefined })[] | null | undefined;
  contexts?: (Loose & { name?: string | null | undefined; context?: KubeconfigContext | null | undefined })[] | null | undefined;
  preferences?: unknown;
}

/** What is wrong, and where (`clusters[0].cluster.server`; `''` for the document itself). */
export class ShapeIssue {
  constructor(
    readonly path: string,
    readonly message: string,
  ) {}
}

type Path = readonly (string | number)[];
type Check = (value: unknown, at: Path) => void;

function pathText(at: Path): string {
  return at.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
}

// Names the type only: a wrong value may be a secret put in the wrong place.
function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? `a ${typeof v}` : typeof v;
}

function isMapping(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const expected = (what: string): Check => (v, at) => {
  throw new ShapeIssue(pathText(at), v === undefined ? `missing: expected ${what}` : `expected ${what}, got ${typeName(v)}`);
};

const string: Check = (v, at) => {
  if (typeof v !== 'string') expected('a string')(v, at);
};

const boolean: Check = (v, at) => {
  if (typeof v !== 'boolean') expected('true or false')(v, at);
};

const oneOf = (...values: string[]): Check => (v, at) => {
  if (typeof v === 'string' && !values.includes(v)) throw new ShapeIssue(pathText(at), `expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  if (typeof v !== 'string') expected(`one of ${values.join(', ')}`)(v, at);
};

const optional = (check: Check): Check => (v, at) => {
  if (v !== undefined && v !== null) check(v, at);
};

const listOf = (check: Check): Check => (v, at) => {
  if (!Array.isArray(v)) return expected('a list')(v, at);
  v.forEach((item, i) => check(item, [...at, i]));
};

const mapOf = (check: Check): Check => (v, at) => {
  if (!isMapping(v)) return expected('a mapping')(v, at);
  for (const [k, item] of Object.entries(v)) check(item, [...at, k]);
};

const mapping = (fields: Readonly<Record<string, Check>>): Check => (v, at) => {
  if (!isMapping(v)) return expected('a mapping')(v, at);
  for (const [k, check] of Object.entries(fields)) check(v[k], [...at, k]);
};

const s = optional(string);

// kubectl refuses a file that names two entries of one list alike (its message then prints
// both entries, secrets included; ours names the positions only).
const uniqueNames = (check: Check): Check => (v, at) => {
  check(v, at);
  const seen = new Map<string, number>();
  (v as { name?: unknown }[]).forEach((entry, i) => {
    const name = typeof entry.name === 'string' ? entry.name : '';
    const first = seen.get(name);
    if (first !== undefined) {
      const shown = name.length > 80 ? `${JSON.stringify(name.slice(0, 80))}…` : JSON.stringify(name);
      throw new ShapeIssue(pathText([...at, i, 'name']), `duplicate name ${shown} (also ${pathText([...at, first])})`);
    }
    seen.set(name, i);
  });
};

// Types are checked for the whole file (kubectl's decoder refuses a wrong type anywhere);
// emptiness only where an entry is used (resolve.ts), so one half-written entry does not make
// the file unusable.
const execConfig = mapping({
  apiVersion: s,
  command: s,
  args: optional(listOf(string)),
  env: optional(listOf(mapping({ name: string, value: string }))),
  installHint: s,
  provideClusterInfo: optional(boolean),
  interactiveMode: optional(oneOf('Never', 'IfAvailable', 'Always')),
});

const cluster = mapping({
  server: s,
  'certificate-authority': s,
  'certificate-authority-data': s,
  'insecure-skip-tls-verify': optional(boolean),
  'tls-server-name': s,
  'proxy-url': s,
  'disable-compression': optional(boolean),
});

const user = mapping({
  'client-certificate': s,
  'client-certificate-data': s,
  'client-key': s,
  'client-key-data': s,
  token: s,
  tokenFile: s,
  as: s,
  'as-uid': s,
  'as-groups': optional(listOf(string)),
  'as-user-extra': optional(mapOf(listOf(string))),
  username: s,
  password: s,
  exec: optional(execConfig),
  'auth-provider': optional(mapping({ name: string, config: optional(mapOf(string)) })),
});

const context = mapping({ cluster: s, user: s, namespace: s });

const document = mapping({
  apiVersion: s,
  kind: s,
  'current-context': s,
  clusters: optional(uniqueNames(listOf(mapping({ name: s, cluster: optional(cluster) })))),
  users: optional(uniqueNames(listOf(mapping({ name: s, user: optional(user) })))),
  contexts: optional(uniqueNames(listOf(mapping({ name: s, context: optional(context) })))),
});

/** Checks a parsed document; throws a {@link ShapeIssue} for the first problem. */
export function checkKubeconfig(raw: unknown): Kubeconfig {
  document(raw, []);
  return raw as Kubeconfig;
}
