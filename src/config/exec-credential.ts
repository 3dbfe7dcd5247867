/**
 * client.authentication.k8s.io exec credential plugins (v1 and v1beta1), as kubectl runs
 * them: env and args from the kubeconfig, KUBERNETES_EXEC_INFO on the environment, stdin
 * only in interactive mode, the result cached until its expirationTimestamp and fetched
 * again after a 401.
 */
import { spawn } from 'node:child_process';
import { AbortedError, AuthPluginError, ConfigError } from '../core/errors.js';
import { stderrExcerpt } from './plugin-output.js';
import { headerValueProblem } from './header-values.js';
import type { ClientCertificate, CredentialProvider, Credentials } from './credentials.js';
import type { ExecConfig } from './kubeconfig.js';

const SUPPORTED = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);

/** Cluster details passed to the plugin when `provideClusterInfo` is set. */
export interface ExecClusterInfo {
  readonly server: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'tls-server-name'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'proxy-url'?: string;
}

/** Options of {@link ExecCredentials}. */
export interface ExecCredentialOptions {
  /**
   * Kill the plugin when it has not answered within this time (non-interactive); default 60 s.
   * This is the run's own limit: concurrent callers share one run, and a caller whose signal
   * fires only stops waiting — the run is killed early only when no caller waits any more.
   */
  readonly timeoutMs?: number;
  /** Whether stdin is a terminal the plugin may use; defaults to process.stdin.isTTY. */
  readonly stdinIsTerminal?: boolean;
  readonly cluster?: ExecClusterInfo;
  /** Base environment (default process.env); the kubeconfig's env entries are added on top. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The kubeconfig user name, for messages. */
  readonly user?: string;
  readonly file?: string | undefined;
}

interface Cached {
  readonly credentials: Credentials;
  readonly token: string | undefined;
  readonly key: string | undefined;
  readonly expiresAt: number | undefined;
}

/**
 * One run of the plugin, shared by every caller that asks while it runs. It lives while
 * anyone still waits for it: a caller whose own signal fires (a 300 ms request timeout)
 * leaves, and only when the last one has left is the plugin killed. Its own timeout
 * (`timeoutMs`) fails it for everyone.
 */
interface SharedRun {
  readonly result: Promise<Cached>;
  waiters: number;
  settled: boolean;
  kill(): void;
}

const MAX_OUTPUT = 1 << 20;
const MAX_STDERR = 32 * 1024;

/** Runs an exec credential plugin and caches its ExecCredential until it expires. */
export class ExecCredentials implements CredentialProvider {
  readonly kind = 'exec';
  readonly #config: ExecConfig;
  readonly #options: ExecCredentialOptions;
  #cached: Cached | undefined;
  #current: SharedRun | undefined;
  /** How many times the plugin ran (observable for tests and debugging). */
  invocations = 0;

  constructor(config: ExecConfig, options: ExecCredentialOptions = {}) {
    if (!SUPPORTED.has(config.apiVersion)) {
      throw new ConfigError(config.apiVersion ? `exec plugin apiVersion ${JSON.stringify(config.apiVersion)} is not supported` : 'exec plugin has no apiVersion', 'InvalidField', {
        file: options.file, field: `users[${options.user ?? '?'}].exec.apiVersion`,
        fix: 'use client.authentication.k8s.io/v1 (or v1beta1); v1alpha1 was removed in Kubernetes 1.24',
      });
    }
    if (config.apiVersion.endsWith('/v1') && !config.interactiveMode) {
      throw new ConfigError('exec plugin with apiVersion v1 must set interactiveMode', 'InvalidField', {
        file: options.file, field: `users[${options.user ?? '?'}].exec.interactiveMode`, fix: 'set interactiveMode: Never (or IfAvailable / Always)',
      });
    }
    if (!config.command) {
      throw new ConfigError('exec plugin has no command', 'InvalidField', {
        file: options.file, field: `users[${options.user ?? '?'}].exec.command`, fix: 'set the plugin command (e.g. aws, gke-gcloud-auth-plugin, kubelogin)',
      });
    }
    this.#config = config;
    this.#options = options;
  }

  /** The plugin's credentials, cached until they expire. */
  async get(signal?: AbortSignal): Promise<Credentials> {
    const c = this.#cached;
    if (c && (c.expiresAt === undefined || Date.now() < c.expiresAt)) return c.credentials;
    if (signal?.aborted) throw new AbortedError(this.#label(), signal.reason);
    let run = this.#current;
    if (run === undefined || run.settled) {
      run = this.#start();
      this.#current = run;
    }
    run.waiters++;
    const shared = run;
    try {
      const fresh = await waitOrLeave(shared.result, signal, () => new AbortedError(this.#label(), signal?.reason));
      return fresh.credentials;
    } finally {
      shared.waiters--;
      if (shared.waiters === 0 && !shared.settled) shared.kill();
    }
  }

  invalidate(): boolean {
    this.#cached = undefined;
    return true;
  }

  secrets(): readonly string[] {
    const c = this.#cached;
    return [c?.token, c?.key].filter((s): s is string => s !== undefined);
  }

  /** A description without the secret, for logs. */
  toJSON(): object {
    return { kind: this.kind, command: this.#config.command };
  }

  #interactive(): boolean {
    const mode = this.#config.interactiveMode ?? 'IfAvailable';
    const tty = this.#options.stdinIsTerminal ?? process.stdin.isTTY === true;
    if (mode === 'Always' && !tty) {
      throw new AuthPluginError(`${this.#label()} needs an interactive terminal (interactiveMode: Always) but stdin is not one`, 'ExecPluginFailed');
    }
    return mode !== 'Never' && tty;
  }

  #label(): string {
    return `exec credential plugin "${this.#config.command}"${this.#options.user ? ` (user ${this.#options.user})` : ''}`;
  }

  /** The kubeconfig's env values: a plugin may echo them, and they often are keys. */
  #envValues(): string[] {
    return (this.#config.env ?? []).map((e) => e.value).filter((v) => typeof v === 'string');
  }

  #start(): SharedRun {
    let kill = (): void => undefined;
    const run: SharedRun = { waiters: 0, settled: false, kill: () => kill(), result: Promise.resolve(undefined as never) };
    const result = new Promise<Cached>((resolve, reject) => {
      kill = this.#spawn(resolve, reject);
    }).then(
      (fresh) => {
        run.settled = true;
        this.#cached = fresh;
        return fresh;
      },
      (e: unknown) => {
        run.settled = true;
        throw e;
      },
    );
    // Waiters that left (and a run killed because all left) must not leave an unhandled rejection.
    result.catch(() => undefined);
    (run as { result: Promise<Cached> }).result = result;
    return run;
  }

  /** Starts the plugin; returns a function that kills it. */
  #spawn(resolvePromise: (c: Cached) => void, reject: (e: unknown) => void): () => void {
    const cfg = this.#config;
    let interactive: boolean;
    try {
      interactive = this.#interactive();
    } catch (e) {
      reject(e);
      return () => undefined;
    }
    const execInfo = {
      apiVersion: cfg.apiVersion,
      kind: 'ExecCredential',
      spec: { interactive, ...(cfg.provideClusterInfo && this.#options.cluster ? { cluster: toClusterSpec(this.#options.cluster) } : {}) },
    };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#options.env ?? process.env)) if (v !== undefined) env[k] = v;
    for (const e of cfg.env ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify(execInfo);
    const timeoutMs = this.#options.timeoutMs ?? (interactive ? 600_000 : 60_000);
    this.invocations++;
    // The cause keeps only the code: a spawn error carries argv (spawnargs), which may hold secrets.
    const fail = (msg: string, code?: string): void =>
      reject(new AuthPluginError(`${this.#label()}: ${msg}`, 'ExecPluginFailed', code ? { cause: Object.assign(new Error(code), { code }) } : undefined));
    let child: ReturnType<typeof spawn>;
    try {
      // Non-interactive plugins get their own process group, so a kill also reaches what they started
      // (a wrapper script's `aws`); an interactive one must stay in the terminal's foreground group.
      child = spawn(cfg.command, cfg.args ?? [], {
        env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe'], windowsHide: true,
        detached: !interactive && process.platform !== 'win32',
      });
    } catch (e) {
      fail(`could not start (${(e as NodeJS.ErrnoException).code ?? 'invalid command'})`, (e as NodeJS.ErrnoException).code);
      return () => undefined;
    }
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const killAll = (): void => {
      try {
        if (!interactive && process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      killAll();
      finish(() => fail(`did not finish within ${timeoutMs} ms`, 'ETIMEDOUT'));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      // Keep the end: that is where a plugin says what went wrong.
      stderr = (stderr + d).slice(-MAX_STDERR);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(() => {
        if (err.code === 'ENOENT') {
          fail(`command not found${cfg.installHint ? `. ${hintText(cfg.installHint)}` : '. Install it or fix users[].exec.command in the kubeconfig'}`, err.code);
        } else if (err.code === 'EACCES') {
          fail('command is not executable (chmod +x it)', err.code);
        } else {
          fail(`could not start (${err.code ?? 'error'})`, err.code);
        }
      });
    });
    child.on('close', (code, sig) => {
      finish(() => {
        if (code !== 0) {
          const excerpt = stderrExcerpt(stderr, this.#envValues());
          fail(`exited with ${sig ? `signal ${sig}` : `code ${code}`}${excerpt ? `: ${excerpt}` : ''}`);
          return;
        }
        try {
          resolvePromise(this.#parse(stdout));
        } catch (e) {
          reject(e);
        }
      });
    });
    return () => {
      killAll();
      finish(() => reject(new AbortedError(`${this.#label()}: every caller gave up`, undefined)));
    };
  }

  #parse(stdout: string): Cached {
    let out: unknown;
    try {
      out = JSON.parse(stdout);
    } catch {
      throw new AuthPluginError(`${this.#label()}: output is not JSON (expected an ExecCredential object on stdout)`, 'ExecPluginFailed');
    }
    const o = out as { kind?: unknown; apiVersion?: unknown; status?: Record<string, unknown> };
    if (typeof out !== 'object' || out === null || o.kind !== 'ExecCredential') {
      throw new AuthPluginError(`${this.#label()}: output is not an ExecCredential (kind must be "ExecCredential")`, 'ExecPluginFailed');
    }
    if (o.apiVersion !== this.#config.apiVersion) {
      throw new AuthPluginError(`${this.#label()}: returned apiVersion ${JSON.stringify(o.apiVersion)}, but the kubeconfig asks for ${this.#config.apiVersion}`, 'ExecPluginFailed');
    }
    const status = o.status ?? {};
    const token = typeof status.token === 'string' && status.token !== '' ? status.token : undefined;
    const cert = typeof status.clientCertificateData === 'string' ? status.clientCertificateData : undefined;
    const key = typeof status.clientKeyData === 'string' ? status.clientKeyData : undefined;
    if ((cert === undefined) !== (key === undefined)) {
      throw new AuthPluginError(`${this.#label()}: returned only one of clientCertificateData and clientKeyData`, 'ExecPluginFailed');
    }
    const tokenProblem = token === undefined ? undefined : headerValueProblem(token);
    if (tokenProblem !== undefined) {
      throw new AuthPluginError(`${this.#label()}: status.token ${tokenProblem}`, 'ExecPluginFailed');
    }
    if (token === undefined && cert === undefined) {
      throw new AuthPluginError(`${this.#label()}: returned neither status.token nor a client certificate`, 'ExecPluginFailed');
    }
    let expiresAt: number | undefined;
    if (typeof status.expirationTimestamp === 'string') {
      expiresAt = Date.parse(status.expirationTimestamp);
      if (Number.isNaN(expiresAt)) {
        throw new AuthPluginError(`${this.#label()}: status.expirationTimestamp is not an RFC 3339 time`, 'ExecPluginFailed');
      }
    }
    const clientCertificate: ClientCertificate | undefined = cert !== undefined && key !== undefined ? { cert, key } : undefined;
    const credentials: Credentials = {
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...(clientCertificate ? { clientCertificate } : {}),
    };
    return { credentials, token, key, expiresAt };
  }
}

/** Waits for `result`, or rejects with `aborted()` when `signal` fires first (the shared run goes on). */
function waitOrLeave<T>(result: Promise<T>, signal: AbortSignal | undefined, aborted: () => Error): Promise<T> {
  if (!signal) return result;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    result.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

// The kubeconfig's installHint is shown as written, minus terminal escapes, and bounded.
function hintText(hint: string): string {
  const clean = hint.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  return clean.length > 1000 ? `${clean.slice(0, 1000)}…` : clean;
}

function toClusterSpec(c: ExecClusterInfo): Record<string, unknown> {
  return {
    server: c.server,
    ...(c['certificate-authority-data'] ? { 'certificate-authority-data': c['certificate-authority-data'] } : {}),
    ...(c['tls-server-name'] ? { 'tls-server-name': c['tls-server-name'] } : {}),
    ...(c['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
    ...(c['proxy-url'] ? { 'proxy-url': c['proxy-url'] } : {}),
  };
}
