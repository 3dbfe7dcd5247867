/**
 * client.authentication.k8s.io exec credential plugins (v1 and v1beta1), as kubectl runs
 * them: env and args from the kubeconfig, KUBERNETES_EXEC_INFO on the environment, stdin
 * only in interactive mode, the result cached until its expirationTimestamp and fetched
 * again after a 401.
 */
import { spawn } from 'node:child_process';
import { AbortedError, AuthPluginError, ConfigError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
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
  /** Kill the plugin when it has not answered within this time (non-interactive); default 60 s. */
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

const MAX_OUTPUT = 1 << 20;

/** Runs an exec credential plugin and caches its ExecCredential until it expires. */
export class ExecCredentials implements CredentialProvider {
  readonly kind = 'exec';
  readonly #config: ExecConfig;
  readonly #options: ExecCredentialOptions;
  #cached: Cached | undefined;
  #inflight: Promise<Cached> | undefined;
  /** How many times the plugin ran (observable for tests and debugging). */
  invocations = 0;

  constructor(config: ExecConfig, options: ExecCredentialOptions = {}) {
    if (!SUPPORTED.has(config.apiVersion)) {
      throw new ConfigError(`exec plugin apiVersion ${JSON.stringify(config.apiVersion)} is not supported`, 'InvalidField', {
        file: options.file, field: `users[${options.user ?? '?'}].exec.apiVersion`,
        fix: 'use client.authentication.k8s.io/v1 (or v1beta1); v1alpha1 was removed in Kubernetes 1.24',
      });
    }
    if (config.apiVersion.endsWith('/v1') && !config.interactiveMode) {
      throw new ConfigError('exec plugin with apiVersion v1 must set interactiveMode', 'InvalidField', {
        file: options.file, field: `users[${options.user ?? '?'}].exec.interactiveMode`, fix: 'set interactiveMode: Never (or IfAvailable / Always)',
      });
    }
    this.#config = config;
    this.#options = options;
  }

  /** The plugin's credentials, cached until they expire. */
  async get(signal?: AbortSignal): Promise<Credentials> {
    const c = this.#cached;
    if (c && (c.expiresAt === undefined || Date.now() < c.expiresAt)) return c.credentials;
    this.#inflight ??= this.#run(signal).finally(() => {
      this.#inflight = undefined;
    });
    const fresh = await this.#inflight;
    this.#cached = fresh;
    return fresh.credentials;
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

  #run(signal?: AbortSignal): Promise<Cached> {
    const cfg = this.#config;
    const interactive = this.#interactive();
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

    return new Promise<Cached>((resolvePromise, reject) => {
      const fail = (msg: string, cause?: unknown): void => reject(new AuthPluginError(`${this.#label()}: ${msg}`, 'ExecPluginFailed', { cause }));
      if (signal?.aborted) {
        reject(new AbortedError(this.#label(), signal.reason));
        return;
      }
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(cfg.command, cfg.args ?? [], {
          env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe'], windowsHide: true,
        });
      } catch (e) {
        fail(`could not start (${(e as Error).message})`, e);
        return;
      }
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() => fail(`did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = (): void => {
        child.kill('SIGKILL');
        finish(() => reject(new AbortedError(this.#label(), signal?.reason)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        if (stdout.length < MAX_OUTPUT) stdout += d;
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < MAX_OUTPUT) stderr += d;
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        finish(() => {
          if (err.code === 'ENOENT') {
            fail(`command not found${cfg.installHint ? `. ${cfg.installHint.trim()}` : '. Install it or fix users[].exec.command in the kubeconfig'}`, err);
          } else if (err.code === 'EACCES') {
            fail('command is not executable (chmod +x it)', err);
          } else {
            fail(`could not start (${err.code ?? err.message})`, err);
          }
        });
      });
      child.on('close', (code, sig) => {
        finish(() => {
          const tail = redactText(stderr.trim()).slice(-500);
          if (code !== 0) {
            fail(`exited with ${sig ? `signal ${sig}` : `code ${code}`}${tail ? `: ${tail}` : ''}`);
            return;
          }
          try {
            resolvePromise(this.#parse(stdout));
          } catch (e) {
            reject(e);
          }
        });
      });
    });
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

function toClusterSpec(c: ExecClusterInfo): Record<string, unknown> {
  return {
    server: c.server,
    ...(c['certificate-authority-data'] ? { 'certificate-authority-data': c['certificate-authority-data'] } : {}),
    ...(c['tls-server-name'] ? { 'tls-server-name': c['tls-server-name'] } : {}),
    ...(c['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
    ...(c['proxy-url'] ? { 'proxy-url': c['proxy-url'] } : {}),
  };
}
