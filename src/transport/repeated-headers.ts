/**
 * Repeated request headers through fetch. The API server reads each Impersonate-Group (and
 * Impersonate-Extra-*) line as one value, but fetch joins repeated headers with ", " — a
 * user in groups a and b would be impersonated as the single group "a, b". So each value
 * travels under its own placeholder name, and a dispatcher interceptor turns them back
 * into repeated lines just before the request is written.
 */
import type { Dispatcher } from 'undici';

const PREFIX = 'x-kubefluent-repeat.';
const PLACEHOLDER = /^x-kubefluent-repeat\.\d+\.(.+)$/;

/** Header entries that send `name` once per value. */
export function repeatedHeader(name: string, values: readonly string[]): Record<string, string> {
  if (values.length === 1) return { [name]: values[0] ?? '' };
  const out: Record<string, string> = {};
  values.forEach((v, i) => {
    out[`${PREFIX}${i}.${name}`] = v;
  });
  return out;
}

/** Turns placeholder headers back into repeated header lines. */
export function expandRepeatedHeaders(headers: Dispatcher.DispatchOptions['headers']): Dispatcher.DispatchOptions['headers'] {
  if (!headers || Array.isArray(headers) || typeof headers !== 'object' || Symbol.iterator in headers) return headers;
  const entries = Object.entries(headers as Record<string, string | string[] | undefined>);
  if (!entries.some(([k]) => k.startsWith(PREFIX))) return headers;
  const flat: string[] = [];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    const name = PLACEHOLDER.exec(k)?.[1] ?? k;
    for (const value of Array.isArray(v) ? v : [v]) flat.push(name, value);
  }
  return flat;
}

/** The dispatcher interceptor that applies {@link expandRepeatedHeaders}. */
export const repeatedHeadersInterceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) =>
  dispatch({ ...options, headers: expandRepeatedHeaders(options.headers) }, handler);
