/** Emits generated/types.ts: one `components` interface for every definition, via openapi-typescript. */
import openapiTS, { astToString } from 'openapi-typescript';
import type { Schema } from './spec.js';

/** The body of generated/types.ts (without the file header). */
export async function emitTypes(schemas: Record<string, Schema>): Promise<string> {
  // openapi-typescript's own document type is stricter than our JSON view of the spec.
  const doc = { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'merged' }, paths: {}, components: { schemas } };
  const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0], {
    // A `default` in the spec is what the server fills in, not a promise that the field is set:
    // keep such fields optional so objects we build need not spell them out.
    defaultNonNullable: false,
    alphabetize: true,
    silent: true,
  });
  return astToString(ast);
}
