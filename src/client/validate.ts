/**
 * Client-side validation: built-in kinds against the generated zod schemas (strict on
 * writes, loose on reads), custom resources against the caller's schema when given.
 */
import type * as z from 'zod';
import { validate, ValidationError } from '../core/validation.js';
import type { ObjectValidator } from './resource-client.js';

function subject(kind: string, object: unknown): string {
  const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return `${kind || 'object'}${typeof name === 'string' ? ` ${JSON.stringify(name)}` : ''}`;
}

/** Validates built-in kinds with the generated schemas; kinds without one (custom resources) pass. */
export const generatedSchemaValidator: ObjectValidator = (object, { kind, mode }) => {
  const r = validate(object, { mode: mode === 'write' ? 'strict' : 'loose' });
  if (!r.ok && r.checked) throw new ValidationError(r.issues, subject(kind, object));
};

/** Validates with a caller-supplied zod schema. */
export function zodValidator(schema: z.ZodType): ObjectValidator {
  return (object, { kind }) => {
    const r = validate(object, { schema });
    if (!r.ok) throw new ValidationError(r.issues, subject(kind, object));
  };
}
