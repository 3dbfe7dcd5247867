// Integration: real control-plane processes started by a child launcher that is then
// interrupted or killed; nothing of the cluster may outlive it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive as alive } from '../../testenv/process.js';

interface Started {
  pids: Record<string, number>;
  dataDir: string;
}

async function startChild(): Promise<{ child: ReturnType<typeof spawn>; started: Started }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures-parent.mts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = await new Promise<Started>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Started);
    });
    child.on('exit', (code) => reject(new Error(`launcher exited early (${code})`)));
  });
  return { child, started };
}

async function gone(started: Started): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const left = Object.values(started.pids).filter(alive);
    if (left.length === 0 && !existsSync(started.dataDir)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const left = Object.entries(started.pids).filter(([, pid]) => alive(pid));
  throw new Error(`left behind: processes ${JSON.stringify(left)}, data dir exists: ${existsSync(started.dataDir)}`);
}

describe('cluster lifecycle', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('leaves no process and no temp dir when the launcher gets %s', async (sig) => {
    const { child, started } = await startChild();
    expect(Object.keys(started.pids)).toHaveLength(5);
    for (const pid of Object.values(started.pids)) expect(alive(pid)).toBe(true);
    expect(existsSync(started.dataDir)).toBe(true);
    child.kill(sig);
    await gone(started);
  });
});
