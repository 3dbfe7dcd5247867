/**
 * What kwok simulates for the test environment: nodes, container logs, attach, exec (commands run
 * on this machine as `nobody` in a scratch dir) and port-forward (echo ports and an HTTP target).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';

// kwok serves container logs from a file in the CRI log format: "<RFC3339Nano> <stream> <F|P> <line>".
export const POD_LOG = ['kubefluent testenv: simulated container log (kwok ClusterLogs)', 'line 2', 'line 3']
  .map((line, i) => `2026-01-01T00:00:0${i}.000000000Z stdout F ${line}`)
  .join('\n') + '\n';
export const PORT_FORWARD_BODY = 'hello from kubefluent testenv port-forward\n';

export function kwokConfig(stagesFile: string, dir: string, forwardPort: number): string {
  const extra = [
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterLogs',
      metadata: { name: 'testenv-logs' },
      spec: { logs: [{ logsFile: join(dir, 'pod.log'), follow: false }] },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterAttach',
      metadata: { name: 'testenv-attach' },
      spec: { attaches: [{ logsFile: join(dir, 'pod.log') }] },
    },
    {
      // Commands run on this machine as user nobody, in an empty scratch dir.
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterExec',
      metadata: { name: 'testenv-exec' },
      spec: {
        execs: [
          {
            local: {
              workDir: join(dir, 'exec'),
              envs: [{ name: 'KUBEFLUENT_TESTENV', value: 'exec' }],
              ...(process.getuid?.() === 0 ? { securityContext: { runAsUser: 65534, runAsGroup: 65534 } } : {}),
            },
          },
        ],
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterPortForward',
      metadata: { name: 'testenv-port-forward' },
      // Pod ports 7 and 17 echo (kwok runs `cat` per connection), pod port 9 refuses (nothing listens
      // on 127.0.0.1:1), every other port reaches the HTTP target: for the port-forward tests.
      spec: {
        forwards: [
          { ports: [7, 17], command: ['cat'] },
          { ports: [9], target: { port: 1, address: '127.0.0.1' } },
          { target: { port: forwardPort, address: '127.0.0.1' } },
        ],
      },
    },
  ];
  return readFileSync(stagesFile, 'utf8').trim() + '\n---\n' + extra.map((d) => stringify(d)).join('---\n');
}

export function nodeObject(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  };
}

export async function startForwardTarget(): Promise<Server> {
  const srv = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(PORT_FORWARD_BODY);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  return srv;
}
