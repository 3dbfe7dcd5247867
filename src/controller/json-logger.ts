/**
 * A structured logger writing one JSON object per line (time, level, msg, then fields):
 * what log collectors parse without configuration. Fits the `Logger` shape of
 * kubefluent/controller; the manager adds controller, key and reconcileId to each line.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface JsonLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface JsonLoggerOptions {
  /** Lines below this level are dropped; default 'info'. */
  readonly level?: LogLevel;
  /** Where lines go; default process.stderr. */
  readonly write?: (line: string) => void;
  /** Fields on every line (e.g. replica). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function safe(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...('reason' in value ? { reason: (value as { reason: unknown }).reason } : {}) };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function jsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const base = options.fields ?? {};
  const log = (level: LogLevel) => (msg: string, fields?: Readonly<Record<string, unknown>>): void => {
    if (ORDER[level] < min) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
    for (const [k, v] of Object.entries({ ...base, ...fields })) record[k] = safe(v);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record.time, level, msg, note: 'fields could not be serialised' });
    }
    write(`${line}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
