// Every build() ends here: the object is checked against the generated strict schema of its
// kind, so a builder can never hand out something the server would reject as malformed.
import { schemaByName, schemaFor } from '../../generated/schemas.js';
import { BuilderError } from './errors.js';

/** Checks a built object against the strict schema of its apiVersion/kind and returns it. */
export function validateBuilt<T extends { apiVersion?: string | null; kind?: string | null }>(object: T): T {
  const schema = schemaFor(object.apiVersion ?? '', object.kind ?? '', 'strict');
  if (!schema) throw new BuilderError('InvalidArgument', `no schema for ${object.apiVersion}/${object.kind}`);
  const result = schema.safeParse(object);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue ? formatPath(issue.path) : '';
    throw new BuilderError('InvalidArgument', `${object.kind} is invalid at ${path || '(root)'}: ${issue?.message ?? 'unknown'}`, path);
  }
  return object;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out;
}

/** Checks a part of an object (a Volume, an EnvVar, …) against its strict definition schema. */
export function validatePart<T>(definition: string, value: T, what: string): T {
  const schema = schemaByName(definition, 'strict');
  if (!schema) throw new BuilderError('InvalidArgument', `no schema for ${definition}`);
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue ? formatPath(issue.path) : '';
    throw new BuilderError('InvalidArgument', `${what} is invalid${path ? ` at ${path}` : ''}: ${issue?.message ?? 'unknown'}`, path || what);
  }
  return value;
}
