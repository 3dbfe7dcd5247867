/**
 * Status bodies shaped exactly like the real API server's (checked against kube-apiserver
 * responses: reason, code, message wording and `details`), so code that switches on them
 * behaves the same against the fake.
 */
import { KubefluentError, type KubeStatus, type StatusCause } from '../core/errors.js';

/** A failure the fake server answers with (its Status body); the fake transport turns it into the client's typed error. */
export class StatusFailure extends KubefluentError {
  readonly status: KubeStatus;
  constructor(status: KubeStatus) {
    super(status.message ?? status.reason ?? 'failure', status.reason ?? 'Unknown');
    this.name = 'StatusFailure';
    this.status = status;
  }
}

/** What the server calls a resource in messages: `configmaps`, `deployments.apps`. */
export interface GroupResource {
  readonly group: string;
  readonly plural: string;
}

function qualified(gr: GroupResource): string {
  return gr.group === '' ? gr.plural : `${gr.plural}.${gr.group}`;
}

function details(gr: GroupResource, name: string | undefined): NonNullable<KubeStatus['details']> {
  return { ...(name !== undefined ? { name } : {}), ...(gr.group !== '' ? { group: gr.group } : {}), kind: gr.plural };
}

function failure(code: number, reason: string, message: string, d?: KubeStatus['details']): StatusFailure {
  return new StatusFailure({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(d ? { details: d } : {}), code });
}

export function notFound(gr: GroupResource, name: string): StatusFailure {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): StatusFailure {
  return failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name));
}

export function conflict(gr: GroupResource, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): StatusFailure {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, details(gr, name));
}

/** A server-side apply conflict: one cause per field, naming the manager that owns it. */
export function applyConflict(conflicts: readonly { field: string; manager: string; apiVersion: string }[]): StatusFailure {
  const n = conflicts.length;
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
  const message = n === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${n} conflicts: ${lines.join('\n')}`;
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field }));
  return failure(409, 'Conflict', message, { causes });
}

/** 422 Invalid with field causes, as the server's validation reports them. */
export function invalid(kind: string, group: string, name: string, causes: readonly StatusCause[]): StatusFailure {
  const text = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `${kind}${group !== '' ? `.${group}` : ''} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`;
  return failure(422, 'Invalid', message, { ...(name !== '' ? { name } : {}), ...(group !== '' ? { group } : {}), kind, causes });
}

export function badRequest(message: string): StatusFailure {
  return failure(400, 'BadRequest', message);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusFailure {
  return failure(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaType(contentType: string): StatusFailure {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`);
}

/** 410 for a watch or list from a compacted resourceVersion. */
export function expired(message: string): StatusFailure {
  return failure(410, 'Expired', message);
}

export function internalError(message: string): StatusFailure {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function timeout(message = 'the server was unable to return a response in the time allotted, but may still be processing the request'): StatusFailure {
  return failure(504, 'Timeout', message);
}

/** The Success body a delete answers with once the object is gone. */
export function deletedStatus(gr: GroupResource, name: string, uid: string): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(gr, name), uid } };
}
