// Every build() ends here: once the generated schemas are loaded (loadSchemas(), or any
// validation, such as the client's first write), the object is checked against the strict
// schema of its kind, so a builder never hands out something the server would reject as
// malformed. build() is synchronous and the schemas load asynchronously, so before that it
// checks nothing here; the client still checks every write before sending it. Failures are
// the library's ValidationError, which names each path.
import { loadedSchemaByName, subjectOf, validateIfLoaded, ValidationError } from '../core/validation.js';

/** Checks a built object against the strict schema of its apiVersion/kind (when loaded) and returns it. */
export function validateBuilt<T extends { apiVersion?: string | null; kind?: string | null }>(object: T): T {
  const r = validateIfLoaded(object, { mode: 'strict' });
  if (r && !r.ok) throw new ValidationError(r.issues, subjectOf(object));
  return object;
}

/** Checks a part of an object (a Volume, an EnvVar, …) against its strict definition schema (when loaded). */
export function validatePart<T>(definition: string, value: T, what: string): T {
  const schema = loadedSchemaByName(definition, 'strict');
  if (schema === undefined) return value;
  const r = validateIfLoaded(value, { schema });
  if (r && !r.ok) throw new ValidationError(r.issues, what);
  return value;
}
