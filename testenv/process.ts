import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { TestEnvError } from './errors.js';

/**
 * One control-plane process. Its output goes to a log file; when it dies early,
 * the error names it and quotes the end of that log.
 */
export class Component {
  readonly name: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exitCode: number | null | undefined;
  private exitSignal: NodeJS.Signals | null | undefined;
  private stopping = false;

  constructor(
    name: string,
    private readonly bin: string,
    private readonly args: readonly string[],
    logFile: string,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {
    this.name = name;
    this.logFile = logFile;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  start(): void {
    if (!existsSync(this.bin)) {
      throw new TestEnvError('start', this.name, `binary not found at ${this.bin}`);
    }
    this.exitCode = undefined;
    this.exitSignal = undefined;
    this.stopping = false;
    const fd = openSync(this.logFile, 'a');
    // setpriv --pdeathsig: the kernel kills the component if the process that started it
    // dies (even by SIGKILL), so no orphan outlives its launcher.
    const [cmd, argv] = PDEATHSIG ? ['setpriv', ['--pdeathsig', 'KILL', '--', this.bin, ...this.args]] : [this.bin, [...this.args]];
    this.child = spawn(cmd, argv, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...this.env },
    });
    closeSync(fd);
    this.child.on('exit', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
    });
    this.child.on('error', () => {
      this.exitCode = -1;
    });
    registerChild(this);
  }

  /** Throws a TestEnvError naming this component if it exited on its own. */
  assertAlive(): void {
    if (this.exitCode !== undefined && !this.stopping) {
      const how = this.exitSignal ? `signal ${this.exitSignal}` : `exit code ${this.exitCode}`;
      throw new TestEnvError('start', this.name, `exited during start-up (${how})`, {
        logFile: this.logFile,
        logTail: this.logTail(),
      });
    }
  }

  logTail(lines = 20): string {
    try {
      const text = readFileSync(this.logFile, 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) {
      unregisterChild(this);
      return;
    }
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    unregisterChild(this);
  }

  /** Immediate SIGKILL, for process-exit paths that cannot wait. */
  killNow(): void {
    if (this.child && this.exitCode === undefined) {
      this.stopping = true;
      this.child.kill('SIGKILL');
    }
  }
}

const PDEATHSIG = (() => {
  if (process.platform !== 'linux') return false;
  const res = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' });
  return res.status === 0;
})();

const live = new Set<Component>();
const exitHooks = new Set<() => void>();
let hooksInstalled = false;

function registerChild(c: Component): void {
  live.add(c);
  installHooks();
}

function unregisterChild(c: Component): void {
  live.delete(c);
}

/** Runs `fn` synchronously when the process exits or is interrupted (temp-dir removal). */
export function onProcessExit(fn: () => void): () => void {
  exitHooks.add(fn);
  installHooks();
  return () => exitHooks.delete(fn);
}

function killAll(): void {
  for (const c of live) c.killNow();
  for (const fn of exitHooks) {
    try {
      fn();
    } catch {
      // best effort on the way out
    }
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      // Re-raise so the process ends with the conventional status.
      process.kill(process.pid, sig);
    });
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Fails with a clear message when `port` is already taken on 127.0.0.1. */
export async function assertPortFree(port: number, component: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new TestEnvError('port', component, `port 127.0.0.1:${port} is already in use (${err.code}); choose another port or stop what holds it`, {
          cause: err,
        }),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A tiny shell that removes `dir` when the launcher dies without cleaning up (the kernel
 * sends it SIGTERM through pdeathsig). Returns a function that dismisses it.
 */
export function startJanitor(dir: string): () => void {
  if (!PDEATHSIG) return () => {};
  const script = 'trap \'rm -rf "$0"; exit 0\' TERM INT HUP; while :; do sleep 5 & wait $!; done';
  const child = spawn('setpriv', ['--pdeathsig', 'TERM', '--', 'sh', '-c', script, dir], { stdio: 'ignore' });
  child.unref();
  return () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}

/** True while a process with this id exists (EPERM still means it exists). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
