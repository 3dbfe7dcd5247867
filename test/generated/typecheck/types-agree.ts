/**
 * Compile-time checks, run by types-agree.test.ts (`tsc -p test/generated/typecheck`) and by
 * the repo-wide typecheck: for every definition, the type zod infers from the schema types of
 * generated/schema-types.ts (what generated/schemas.ts builds) and the type openapi-typescript
 * generated (generated/types.ts) are assignable both ways.
 *
 * Intentional difference: zod accepts `null` for optional fields (servers send
 * `creationTimestamp: null`), the OpenAPI types do not; nulls are stripped before comparing.
 */
import type * as z from 'zod';
import type { ResourceInfo } from '../../../src/core/resource-info.js';
// Type-only files: the runtime factory (generated/schemas.ts) is checked by the repo-wide typecheck.
import type { apiextensions, autoscaling, core, CustomResourceDefinition, Deployment, HorizontalPodAutoscaler, Pod, PodList } from '../../../generated/models.js';
import type { ResourceListTypeMap, resources, ResourceTypeMap } from '../../../generated/resources.js';
import type { SchemaName, Schemas } from '../../../generated/schema-types.js';
import type { components } from '../../../generated/types.js';

type DeepStripNull<T> = T extends readonly (infer U)[]
  ? DeepStripNull<U>[]
  : T extends object
    ? { [K in keyof T]: DeepStripNull<Exclude<T[K], null>> }
    : T;

type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

type OpenAPI = components['schemas'];
type Zod<N extends SchemaName> = DeepStripNull<z.output<Schemas[N]>>;

/** Names whose zod type and OpenAPI type disagree; must be `never`. */
type Mismatched = { [N in SchemaName]: Agree<Zod<N>, OpenAPI[N]> extends true ? never : N }[SchemaName];
export const everyDefinitionAgrees: [Mismatched] extends [never] ? true : { mismatched: Mismatched } = true;

/** The zod table and the OpenAPI types cover the same definitions. */
export const sameNames: Equal<SchemaName, keyof OpenAPI> = true;

// Friendly aliases are the preferred versions, and the namespaces reach every group/version.
export const aliases: [
  Equal<Pod, core.v1.Pod>,
  Equal<HorizontalPodAutoscaler, autoscaling.v2.HorizontalPodAutoscaler>,
  Equal<CustomResourceDefinition, apiextensions.v1.CustomResourceDefinition>,
  Equal<ResourceTypeMap['apps/v1/deployments'], Deployment>,
  Equal<ResourceListTypeMap['v1/pods'], PodList>,
] = [true, true, true, true, true];

// Required fields stay required.
// @ts-expect-error — a Container needs a name.
export const noName: core.v1.Container = { image: 'nginx' };

// Every table entry has core's ResourceInfo shape.
export const table: Readonly<Record<string, ResourceInfo & { schema: SchemaName }>> = {} as typeof resources;
