/** Health probes: `Probe.httpGet('/healthz', 'http')`, `Probe.tcp(5432)`, `Probe.exec([...])`, `Probe.grpc(9090)`. */
import type { Probe as ProbeObject } from '../../generated/models.js';
import { BuilderError } from './errors.js';
import { onlyKeys } from './keys.js';
import { compact, deepFreeze } from './objects.js';

/** A container probe: the generated `core/v1 Probe` type. */
export type Probe = ProbeObject;

/** Timing; every field left unset keeps the server's default. */
export interface ProbeTiming {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
  readonly terminationGracePeriodSeconds?: number;
}

const TIMING_KEYS = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds'];

function timing(t: ProbeTiming): ProbeTiming {
  for (const [k, v] of Object.entries(t)) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new BuilderError('InvalidArgument', `probe ${k} ${v} must be a whole number of seconds (or count) ≥ 0`, k);
  }
  return compact({
    initialDelaySeconds: t.initialDelaySeconds,
    periodSeconds: t.periodSeconds,
    timeoutSeconds: t.timeoutSeconds,
    successThreshold: t.successThreshold,
    failureThreshold: t.failureThreshold,
    terminationGracePeriodSeconds: t.terminationGracePeriodSeconds,
  });
}

export function checkPortNumber(what: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BuilderError('InvalidArgument', `${what} ${port} must be a whole number from 1 to 65535`, what);
  return port;
}

/** A port by number or by the name of one of the container's ports. */
export type PortRef = number | string;

function portRef(what: string, port: PortRef): PortRef {
  return typeof port === 'number' ? checkPortNumber(what, port) : port;
}

export interface HttpGetOptions extends ProbeTiming {
  readonly scheme?: 'HTTP' | 'HTTPS';
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Probe factories. */
export const Probe = {
  /** An HTTP GET that must answer 200–399. `port` is a number or a named container port. */
  httpGet(path: string, port: PortRef, options: HttpGetOptions = {}): Probe {
    onlyKeys('httpGet probe options', options, [...TIMING_KEYS, 'scheme', 'host', 'headers']);
    const { scheme, host, headers, ...t } = options;
    const httpHeaders = headers === undefined ? undefined : Object.entries(headers).map(([name, value]) => ({ name, value }));
    return deepFreeze({ httpGet: compact({ path, port: portRef('httpGet probe port', port), scheme, host, httpHeaders }), ...timing(t) });
  },
  /** A TCP connect. */
  tcp(port: PortRef, options: ProbeTiming & { readonly host?: string } = {}): Probe {
    onlyKeys('tcp probe options', options, [...TIMING_KEYS, 'host']);
    const { host, ...t } = options;
    return deepFreeze({ tcpSocket: compact({ port: portRef('tcp probe port', port), host }), ...timing(t) });
  },
  /** A command run in the container; exit 0 is healthy. */
  exec(command: readonly string[], options: ProbeTiming = {}): Probe {
    onlyKeys('exec probe options', options, TIMING_KEYS);
    if (command.length === 0) throw new BuilderError('InvalidArgument', 'exec probe needs a command', 'exec.command');
    return deepFreeze({ exec: { command: [...command] }, ...timing(options) });
  },
  /** A gRPC health check (grpc.health.v1); the port must be a number. */
  grpc(port: number, options: ProbeTiming & { readonly service?: string } = {}): Probe {
    onlyKeys('grpc probe options', options, [...TIMING_KEYS, 'service']);
    const { service, ...t } = options;
    return deepFreeze({ grpc: compact({ port: checkPortNumber('grpc probe port', port), service }), ...timing(t) });
  },
} as const;

/** The named port a probe points at, if it names one. */
export function probePortName(p: Probe | undefined): string | undefined {
  const port = p?.httpGet?.port ?? p?.tcpSocket?.port;
  return typeof port === 'string' ? port : undefined;
}
