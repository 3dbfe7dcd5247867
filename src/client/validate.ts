/**
 * Client-side validation: built-in kinds against the generated schemas (strict on writes,
 * loose on reads; loaded on the first check), custom resources against the caller's
 * Standard Schema when given (zod, valibot, arktype, …; asynchronous ones too).
 */
import type { StandardSchemaV1 } from '../core/standard-schema.js';
import { validateAsync, ValidationError, type ValidationIssue } from '../core/validation.js';
import type { ObjectValidator } from './resource-client.js';

function subject(kind: string, object: unknown): string {
  const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return `${kind || 'object'}${typeof name === 'string' ? ` ${JSON.stringify(name)}` : ''}`;
}

// Apply configurations carry only the fields the caller owns: a missing required field is fine
// there (the server merges), an unknown or mistyped one is not.
function relevant(issues: readonly ValidationIssue[], mode: 'write' | 'apply' | 'read'): readonly ValidationIssue[] {
  return mode === 'apply' ? issues.filter((i) => !i.message.startsWith('required field is missing')) : issues;
}

/** Validates built-in kinds with the generated schemas; kinds without one (custom resources) pass. */
export const generatedSchemaValidator: ObjectValidator = async (object, { kind, mode }) => {
  const r = await validateAsync(object, { mode: mode === 'read' ? 'loose' : 'strict' });
  const issues = r.ok || !r.checked ? [] : relevant(r.issues, mode);
  if (issues.length > 0) throw new ValidationError(issues, subject(kind, object));
};

/** Validates with a caller-supplied Standard Schema. */
export function schemaValidator(schema: StandardSchemaV1): ObjectValidator {
  return async (object, { kind, mode }) => {
    const r = await validateAsync(object, { schema });
    const issues = r.ok ? [] : relevant(r.issues, mode);
    if (issues.length > 0) throw new ValidationError(issues, subject(kind, object));
  };
}
