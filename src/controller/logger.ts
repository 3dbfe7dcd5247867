/**
 * The logger a reconciler gets: four levels, a message and structured fields. Bring your
 * own (pino, winston and console all fit the shape); the default writes warnings and errors
 * to the console and drops debug/info.
 */
export type LogFields = Readonly<Record<string, unknown>>;

/** Four levels, each a message and optional structured fields. */
export interface Logger {
  /** Detail for debugging (e.g. a quiet conflict retry). */
  debug(message: string, fields?: LogFields): void;
  /** Normal progress. */
  info(message: string, fields?: LogFields): void;
  /** Something unexpected that the caller recovers from. */
  warn(message: string, fields?: LogFields): void;
  /** A failure someone should look at (e.g. a reconcile that threw). */
  error(message: string, fields?: LogFields): void;
}

/** Writes warn and error to the console; debug and info are dropped. */
export const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (m, f) => console.warn(m, f ?? ''),
  error: (m, f) => console.error(m, f ?? ''),
};

/** Drops everything. */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A logger that adds `fields` to every line of `base`. */
export function withFields(base: Logger, fields: LogFields): Logger {
  return {
    debug: (m, f) => base.debug(m, { ...fields, ...f }),
    info: (m, f) => base.info(m, { ...fields, ...f }),
    warn: (m, f) => base.warn(m, { ...fields, ...f }),
    error: (m, f) => base.error(m, { ...fields, ...f }),
  };
}
