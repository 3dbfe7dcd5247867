/**
 * The `meta/v1` Status the API server sends with every error, and its normalisation: a
 * hostile or broken server may send any JSON in its place, so what errors keep is rebuilt
 * field by field, each of its documented type, every string bounded.
 */

/** A `meta/v1` Status cause: one field-level problem. */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** The `meta/v1` Status object the API server returns with every error. */
export interface KubeStatus {
  readonly kind?: 'Status';
  readonly apiVersion?: string;
  readonly status?: 'Success' | 'Failure' | string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly uid?: string;
    readonly causes?: readonly StatusCause[];
    readonly retryAfterSeconds?: number;
  };
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
}

/** Longest Status message kept in an error (a server may send megabytes). */
export const MAX_STATUS_MESSAGE = 2048;
/** At most this many causes are kept, each with bounded strings. */
const MAX_CAUSES = 100;
const MAX_FIELD = 256;
/** Longest wait a server may ask for through details.retryAfterSeconds. */
export const MAX_RETRY_AFTER_SECONDS = 3600;

function boundedString(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length - max} more characters)`;
}

export function boundedSeconds(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(Math.max(0, value), MAX_RETRY_AFTER_SECONDS);
}

function causesOf(value: unknown): StatusCause[] {
  if (!Array.isArray(value)) return [];
  const out: StatusCause[] = [];
  for (const c of value.slice(0, MAX_CAUSES)) {
    if (typeof c !== 'object' || c === null) continue;
    const r = c as Record<string, unknown>;
    const reason = boundedString(r.reason, MAX_FIELD);
    const message = boundedString(r.message, MAX_STATUS_MESSAGE);
    const field = boundedString(r.field, MAX_FIELD);
    out.push({ ...(reason !== undefined ? { reason } : {}), ...(message !== undefined ? { message } : {}), ...(field !== undefined ? { field } : {}) });
  }
  return out;
}

/**
 * A Status rebuilt from whatever the server sent: every field of the right type, every
 * string bounded, unknown fields dropped (so an error never holds megabytes of body).
 */
export function normalizeStatus(raw: unknown): KubeStatus {
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const d = (typeof s.details === 'object' && s.details !== null ? s.details : undefined) as Record<string, unknown> | undefined;
  const m = (typeof s.metadata === 'object' && s.metadata !== null ? s.metadata : undefined) as Record<string, unknown> | undefined;
  const pick = (o: Record<string, unknown>, keys: readonly string[], max: number): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const k of keys) {
      const v = boundedString(o[k], max);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  const code = typeof s.code === 'number' && Number.isInteger(s.code) && s.code >= 100 && s.code <= 599 ? s.code : undefined;
  const retry = d === undefined ? undefined : boundedSeconds(d.retryAfterSeconds);
  return {
    kind: 'Status',
    ...pick(s, ['apiVersion', 'status', 'reason'], MAX_FIELD),
    ...pick(s, ['message'], MAX_STATUS_MESSAGE),
    ...(code !== undefined ? { code } : {}),
    ...(d !== undefined ? {
      details: {
        ...pick(d, ['name', 'group', 'kind', 'uid'], MAX_FIELD),
        ...(Array.isArray(d.causes) ? { causes: causesOf(d.causes) } : {}),
        ...(retry !== undefined ? { retryAfterSeconds: retry } : {}),
      },
    } : {}),
    ...(m !== undefined ? { metadata: pick(m, ['resourceVersion', 'continue'], MAX_FIELD) } : {}),
  };
}

/** True when `value` looks like a meta/v1 Status object. */
export function isStatus(value: unknown): value is KubeStatus {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

