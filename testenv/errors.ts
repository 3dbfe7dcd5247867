/** What went wrong while building, starting or stopping the local control plane. */
export type TestEnvErrorReason = 'build' | 'start' | 'port' | 'timeout' | 'stop' | 'config';

/**
 * A failure of the local control plane. `component` names the part that failed
 * (etcd, kube-apiserver, …, or `go` when the toolchain is missing) and `logTail`
 * carries the last lines of its log, so the message alone says what to look at.
 */
export class TestEnvError extends Error {
  override readonly name = 'TestEnvError';
  readonly reason: TestEnvErrorReason;
  readonly component: string;
  readonly logTail: string | undefined;
  readonly logFile: string | undefined;

  constructor(
    reason: TestEnvErrorReason,
    component: string,
    message: string,
    extra: { logTail?: string; logFile?: string; cause?: unknown } = {},
  ) {
    const parts = [`${component}: ${message}`];
    if (extra.logFile) parts.push(`log: ${extra.logFile}`);
    if (extra.logTail) parts.push(`last lines of its log:\n${indent(extra.logTail)}`);
    super(parts.join('\n'), extra.cause === undefined ? undefined : { cause: extra.cause });
    this.reason = reason;
    this.component = component;
    this.logTail = extra.logTail;
    this.logFile = extra.logFile;
  }
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
