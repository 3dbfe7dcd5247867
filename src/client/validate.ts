/**
 * Client-side validation of objects against the generated zod schemas (strict on writes,
 * loose on reads) or a caller's schema for custom resources.
 * TODO(validation): switch to src/core/validation.ts once it lands.
 */
import type * as z from 'zod';
import { schemaFor } from '../../generated/schemas.js';
import { KubefluentError } from '../core/errors.js';
import type { ObjectValidator } from './resource-client.js';

/** Placeholder until src/core/validation.ts provides ValidationError. */
class SchemaValidationError extends KubefluentError {
  readonly issues: readonly { path: string; message: string }[];
  constructor(kind: string, issues: readonly { path: string; message: string }[]) {
    const first = issues[0];
    super(`${kind} is invalid: ${first ? `${first.path || '(root)'}: ${first.message}` : 'schema mismatch'}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, 'ValidationFailed');
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

function run(schema: z.ZodType, object: unknown, kind: string): void {
  const r = schema.safeParse(object);
  if (!r.success) throw new SchemaValidationError(kind, r.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
}

/** Validates built-in kinds with the generated schemas; kinds without one pass. */
export const generatedSchemaValidator: ObjectValidator = (object, { apiVersion, kind, mode }) => {
  const schema = schemaFor(apiVersion, kind, mode === 'write' ? 'strict' : 'loose');
  if (schema) run(schema, object, kind);
};

/** Validates with a caller-supplied zod schema. */
export function zodValidator(schema: z.ZodType): ObjectValidator {
  return (object, { kind }) => run(schema, object, kind || 'object');
}
