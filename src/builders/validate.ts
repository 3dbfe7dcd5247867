// Every build() ends here: the object is checked against the generated strict schema of its
// kind, so a builder never hands out something the server would reject as malformed. Failures
// are the library's ValidationError, which names each path.
import { schemaByName } from '../../generated/schemas.js';
import { assertValid, validate, ValidationError } from '../core/validation.js';

/** Checks a built object against the strict schema of its apiVersion/kind and returns it. */
export function validateBuilt<T extends { apiVersion?: string | null; kind?: string | null }>(object: T): T {
  assertValid(object, { mode: 'strict' });
  return object;
}

/** Checks a part of an object (a Volume, an EnvVar, …) against its strict definition schema. */
export function validatePart<T>(definition: string, value: T, what: string): T {
  const schema = schemaByName(definition, 'strict');
  if (schema === undefined) throw new Error(`no schema for ${definition}`);
  const r = validate(value, { schema });
  if (!r.ok) throw new ValidationError(r.issues, what);
  return value;
}
