/**
 * npm run cluster:up | cluster:down | cluster:status
 *
 * `up` starts a detached daemon (this file with `daemon`) that owns the cluster and
 * writes .cluster/kubeconfig and .cluster/state.json at the repo root; `down` sends
 * it SIGTERM and waits until every component is gone.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEnv } from './cluster.js';
import { TestEnvError } from './errors.js';
import { pidAlive as alive, sleep } from './process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = join(root, '.cluster');
const statePath = join(stateDir, 'state.json');
const kubeconfigOut = join(stateDir, 'kubeconfig');
const restrictedOut = join(stateDir, 'restricted.kubeconfig');
const logPath = join(stateDir, 'daemon.log');

interface State {
  pid: number;
  server: string;
  version: string;
  dataDir: string;
  etcdUrl: string;
  components: Record<string, number | undefined>;
  startedAt: string;
}

function readState(): State | undefined {
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

async function up(): Promise<number> {
  const state = readState();
  if (state && alive(state.pid)) {
    console.log(`already running (pid ${state.pid}) at ${state.server}`);
    printUsage();
    return 0;
  }
  mkdirSync(stateDir, { recursive: true });
  rmSync(statePath, { force: true });
  writeFileSync(logPath, '');
  const out = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'daemon'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  // Relay the daemon's progress until it reports ready or dies.
  let shown = 0;
  for (;;) {
    await sleep(300);
    const log = readFileSync(logPath, 'utf8');
    const lines = log.split('\n');
    for (; shown < lines.length - 1; shown++) console.log(lines[shown]);
    if (readState()) break;
    if (child.pid === undefined || !alive(child.pid)) {
      console.error(`cluster:up failed; see ${logPath}`);
      return 1;
    }
  }
  printUsage();
  return 0;
}

function printUsage(): void {
  console.log(`
kubeconfig: ${kubeconfigOut}
  export KUBECONFIG=${kubeconfigOut}
  kubectl get nodes
restricted user (namespace "restricted"): ${restrictedOut}
stop it with: npm run cluster:down`);
}

async function daemon(): Promise<number> {
  const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
  let env;
  try {
    env = await startTestEnv({ onProgress: log });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
  copyFileSync(env.kubeconfigPath, kubeconfigOut);
  copyFileSync(env.restrictedKubeconfigPath, restrictedOut);
  const state: State = {
    pid: process.pid,
    server: env.server,
    version: env.version,
    dataDir: env.dataDir,
    etcdUrl: env.etcdUrl,
    components: env.pids(),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  const shutdown = async () => {
    log('stopping');
    await env.stop();
    rmSync(statePath, { force: true });
    log('stopped');
    process.exit(0);
  };
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  // Stay alive: the daemon is the parent of every component.
  setInterval(() => {}, 1 << 30);
  return await new Promise<number>(() => {});
}

async function down(): Promise<number> {
  const state = readState();
  if (!state || !alive(state.pid)) {
    console.log('no cluster running');
    rmSync(statePath, { force: true });
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(state.pid) && Date.now() < deadline) await sleep(200);
  if (alive(state.pid)) {
    process.kill(state.pid, 'SIGKILL');
    console.error(`daemon ${state.pid} did not stop in 30 s; killed it`);
  }
  const left = Object.entries(state.components).filter(([, pid]) => pid !== undefined && alive(pid));
  for (const [, pid] of left) process.kill(pid!, 'SIGKILL');
  rmSync(statePath, { force: true });
  rmSync(kubeconfigOut, { force: true });
  rmSync(restrictedOut, { force: true });
  console.log(left.length ? `stopped (killed leftovers: ${left.map(([n]) => n).join(', ')})` : 'stopped');
  return 0;
}

function status(): number {
  const state = readState();
  if (!state || !alive(state.pid)) {
    console.log('not running (npm run cluster:up starts it)');
    return 1;
  }
  console.log(`running: ${state.server} (${state.version}), daemon pid ${state.pid}, since ${state.startedAt}`);
  for (const [name, pid] of Object.entries(state.components)) {
    console.log(`  ${name.padEnd(24)} pid ${String(pid).padEnd(8)} ${pid !== undefined && alive(pid) ? 'running' : 'NOT RUNNING'}`);
  }
  console.log(`kubeconfig: ${kubeconfigOut}`);
  return 0;
}

const cmd = process.argv[2];
const handlers: Record<string, () => Promise<number> | number> = { up, down, status, daemon };
const handler = cmd ? handlers[cmd] : undefined;
if (!handler) {
  console.error('usage: tsx testenv/cli.ts up|down|status');
  process.exit(2);
}
Promise.resolve(handler())
  .then((code) => {
    if (cmd !== 'daemon') process.exit(code);
    else if (code !== 0) process.exit(code);
  })
  .catch((err: unknown) => {
    console.error(err instanceof TestEnvError || err instanceof Error ? err.message : String(err));
    process.exit(1);
  });

