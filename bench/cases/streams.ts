/**
 * Streams benchmark, standalone (the exec-throughput and portforward-throughput rows against
 * kubectl are in `npm run bench`: bench/cases/exec.ts and portforward.ts; this script keeps
 * the framing comparison with the `ws` package, run from the sources):
 *
 *   npx tsx bench/cases/streams.ts [--mb 200] [--runs 3]     uses KUBEFLUENT_TEST_KUBECONFIG or .cluster/kubeconfig
 *
 * 1. framing: our RFC 6455 client (src/net/websocket-node.ts) against the `ws` package's
 *    client, both against a `ws` server in another process on 127.0.0.1: MB/s and client CPU
 *    per MB, receiving (server → client, 32 KiB messages like the API server) and sending.
 * 2. exec stdout: `head -c N /dev/zero` in a kwok pod, through kubefluent and through
 *    `kubectl exec` (both in their own process): MB/s and CPU per MB of that process.
 * 3. port-forward: N MB each way through an echo pod port (kwok runs `cat`), over 4
 *    connections, through our forwarder (own process) and `kubectl port-forward`: MB/s and
 *    the forwarder process's CPU per MB moved.
 * Sides alternate run by run; medians and ours/peer ratios go to bench/results/streams.{json,md}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { Kube } from '../../src/kube.js';
import { nodeWebSocket } from '../../src/net/websocket-node.js';

const ROOT = join(import.meta.dirname, '..', '..');
const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { mb: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' }, child: { type: 'string' } } });
const MB = Number(args.mb);
const RUNS = Number(args.runs);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG ?? join(ROOT, '.cluster', 'kubeconfig');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** utime+stime of another process, in ms (Linux /proc). */
const procCpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

// ---------------------------------------------------------------- child modes
if (args.child === 'ws-server') {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  const chunk = Buffer.alloc(32 * 1024, 7);
  wss.on('connection', (ws, req) => {
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('send') ?? 0);
    let received = 0;
    ws.on('message', (d: Buffer) => {
      received += d.length;
      if (received >= Number(new URL(req.url ?? '/', 'http://x').searchParams.get('expect') ?? Infinity)) ws.close();
    });
    let sent = 0;
    if (n === 0) return;
    const pump = (): void => {
      while (sent < n) {
        sent += chunk.length;
        ws.send(chunk);
        if (ws.bufferedAmount > 4 << 20) return void setTimeout(pump, 1);
      }
      ws.close();
    };
    pump();
  });
  wss.on('listening', () => process.stdout.write(`PORT ${(wss.address() as { port: number }).port}\n`));
} else if (args.child === 'exec') {
  const [ns, pod, bytes] = positionals as [string, string, string];
  const kube = await Kube.connect({ kubeconfig });
  const c0 = cpuMs();
  const t0 = performance.now();
  const p = await kube.pods.namespace(ns).exec(pod, { command: ['head', '-c', bytes, '/dev/zero'], stderr: false });
  let n = 0;
  for await (const c of p.stdout) n += c.length;
  await p.exit;
  process.stdout.write(`RESULT ${n} ${performance.now() - t0} ${cpuMs() - c0}\n`);
  await kube.close();
} else if (args.child === 'forward') {
  const [ns, pod] = positionals as [string, string];
  const kube = await Kube.connect({ kubeconfig });
  const fwd = await kube.pods.namespace(ns).portForward(pod, [':7']);
  process.stdout.write(`Forwarding from 127.0.0.1:${fwd.ports[0]!.local}\n`);
} else {
  await main();
}

// ---------------------------------------------------------------- helpers
function startChild(cmd: string, argv: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KUBECONFIG: kubeconfig } });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}

function upgradeOurs(port: number, query: string): Promise<ReturnType<typeof nodeWebSocket>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/?${query}`, agent: false, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') } });
    req.once('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => resolve(nodeWebSocket(socket, head, '')));
    req.once('error', reject);
    req.end();
  });
}

async function framing(side: 'ours' | 'ws', port: number, direction: 'receive' | 'send', mb = MB): Promise<{ mbps: number; cpuMsPerMb: number }> {
  const bytes = mb << 20;
  const query = direction === 'receive' ? `send=${bytes}` : `expect=${bytes}`;
  const msg = Buffer.alloc(64 * 1024, 3);
  const c0 = cpuMs();
  const t0 = performance.now();
  if (side === 'ours') {
    const ws = await upgradeOurs(port, query);
    if (direction === 'receive') {
      let n = 0;
      for await (const m of ws.messages) n += m.length;
      if (n < bytes) throw new Error(`short: ${n}`);
    } else {
      for (let at = 0; at < bytes; at += msg.length) await ws.send(msg);
      for await (const _ of ws.messages) { /* until the server closes */ }
    }
  } else {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?${query}`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('close', () => resolve());
      if (direction === 'send') {
        ws.once('open', async () => {
          for (let at = 0; at < bytes; at += msg.length) {
            ws.send(msg);
            while (ws.bufferedAmount > 1 << 20) await new Promise((r) => setImmediate(r));
          }
        });
      } else ws.on('message', () => {});
    });
  }
  const ms = performance.now() - t0;
  return { mbps: mb / (ms / 1000), cpuMsPerMb: (cpuMs() - c0) / mb };
}

async function execSide(side: 'ours' | 'kubectl', ns: string, pod: string): Promise<{ mbps: number; cpuMsPerMb: number }> {
  const bytes = String(MB << 20);
  if (side === 'ours') {
    const { child, match } = await startChild(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/cases/streams.ts'), '--child', 'exec', ns, pod, bytes], /RESULT (\d+) ([\d.]+) ([\d.]+)/);
    child.kill();
    return { mbps: MB / (Number(match[2]) / 1000), cpuMsPerMb: Number(match[3]) / MB };
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '-n', ns, 'exec', pod, '--', 'head', '-c', bytes, '/dev/zero'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let n = 0;
    let cpu = 0;
    child.stdout.on('data', (d: Buffer) => {
      n += d.length;
      try {
        cpu = procCpuMs(child.pid!);
      } catch { /* exiting */ }
    });
    child.once('exit', () => {
      if (n < Number(bytes)) return reject(new Error(`kubectl: short ${n}`));
      resolve({ mbps: MB / ((performance.now() - t0) / 1000), cpuMsPerMb: cpu / MB });
    });
  });
}

async function forwardSide(side: 'ours' | 'kubectl', ns: string, pod: string): Promise<{ mbps: number; cpuMsPerMb: number }> {
  const argv = side === 'ours'
    ? [process.execPath, ['--import', 'tsx', join(ROOT, 'bench/cases/streams.ts'), '--child', 'forward', ns, pod]] as const
    : ['kubectl', ['--kubeconfig', kubeconfig, '-n', ns, 'port-forward', `pod/${pod}`, ':7']] as const;
  const { child, match } = await startChild(argv[0], [...argv[1]], /Forwarding from 127\.0\.0\.1:(\d+)/);
  const port = Number(match[1]);
  try {
    const per = Math.ceil((MB << 20) / 4);
    const data = randomBytes(per);
    const want = createHash('sha256').update(data).digest('hex');
    const c0 = procCpuMs(child.pid!);
    const t0 = performance.now();
    await Promise.all([0, 1, 2, 3].map(() => new Promise<void>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => void s.write(data));
      const h = createHash('sha256');
      let got = 0;
      s.on('data', (c: Buffer) => {
        h.update(c);
        got += c.length;
        if (got >= per) {
          s.destroy();
          if (h.digest('hex') !== want) reject(new Error('checksum mismatch'));
          else resolve();
        }
      });
      s.once('error', reject);
    })));
    const ms = performance.now() - t0;
    const cpu = procCpuMs(child.pid!) - c0;
    // MB moved = MB up + MB down.
    return { mbps: MB / (ms / 1000), cpuMsPerMb: cpu / (2 * MB) };
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const rows: { name: string; ours: number; peer: number; peerName: string; unit: string; better: 'higher' | 'lower' }[] = [];
  const log = (m: string): void => void process.stderr.write(`[streams bench] ${m}\n`);
  const alternate = async (label: string, sides: readonly ['ours', string], f: (side: string) => Promise<{ mbps: number; cpuMsPerMb: number }>): Promise<void> => {
    const res: Record<string, { mbps: number[]; cpu: number[] }> = { [sides[0]]: { mbps: [], cpu: [] }, [sides[1]]: { mbps: [], cpu: [] } };
    for (let r = 0; r < RUNS; r++) {
      for (const side of r % 2 ? [...sides].reverse() : sides) {
        const v = await f(side);
        res[side]!.mbps.push(v.mbps);
        res[side]!.cpu.push(v.cpuMsPerMb);
        log(`${label} run ${r + 1} ${side}: ${v.mbps.toFixed(1)} MB/s, ${v.cpuMsPerMb.toFixed(2)} ms CPU/MB`);
      }
    }
    rows.push({ name: `${label} throughput`, unit: 'MB/s', better: 'higher', peerName: sides[1], ours: median(res.ours!.mbps), peer: median(res[sides[1]]!.mbps) });
    rows.push({ name: `${label} CPU`, unit: 'ms CPU/MB', better: 'lower', peerName: sides[1], ours: median(res.ours!.cpu), peer: median(res[sides[1]]!.cpu) });
  };

  const server = await startChild(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/cases/streams.ts'), '--child', 'ws-server'], /PORT (\d+)/);
  try {
    const port = Number(server.match[1]);
    // Warm both sides' code up before anything is timed.
    for (const side of ['ours', 'ws'] as const) for (const d of ['receive', 'send'] as const) await framing(side, port, d, 10);
    await alternate('framing receive', ['ours', 'ws'], (s) => framing(s as 'ours' | 'ws', port, 'receive'));
    await alternate('framing send', ['ours', 'ws'], (s) => framing(s as 'ours' | 'ws', port, 'send'));
  } finally {
    server.child.kill();
  }

  const kube = await Kube.connect({ kubeconfig });
  const ns = `bench-streams-${process.pid}`;
  await kube.namespaces.create({ metadata: { name: ns } });
  try {
    await kube.pods.namespace(ns).create({ metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
    await kube.pods.namespace(ns).waitFor('p', (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
    await alternate('exec stdout', ['ours', 'kubectl exec'], (s) => execSide(s === 'ours' ? 'ours' : 'kubectl', ns, 'p'));
    await alternate('port-forward', ['ours', 'kubectl port-forward'], (s) => forwardSide(s === 'ours' ? 'ours' : 'kubectl', ns, 'p'));
  } finally {
    await kube.namespaces.delete(ns);
    await kube.close();
  }

  const table = [
    `Streams benchmark, ${new Date().toISOString()}, ${MB} MB per run, median of ${RUNS} runs (Node ${process.version}, kube-apiserver + kwok on this machine).`,
    '',
    '| measure | ours | peer | value | ratio (ours/peer) |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} (${r.unit}, ${r.better} is better) | ${r.ours.toFixed(2)} | ${r.peerName} | ${r.peer.toFixed(2)} | ${(r.ours / r.peer).toFixed(2)} |`),
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/streams.json'), JSON.stringify({ mb: MB, runs: RUNS, node: process.version, rows }, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench/results/streams.md'), table + '\n');
  console.log(table);
}
