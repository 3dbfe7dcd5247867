// API reference: `npm run docs` → docs/api/ (gitignored). Warnings are errors, so CI fails on
// an undocumented public symbol or a broken {@link}.
import { OptionDefaults } from 'typedoc';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  entryPoints: ['src/index.ts', 'src/builders.ts', 'src/models.ts', 'src/testenv.ts', 'src/controller.ts', 'src/testing.ts'],
  // The repository has no public home yet, so no source links (they would point nowhere).
  disableSources: true,
  // The library's own sources only: the reference does not depend on tests compiling.
  tsconfig: 'tsconfig.docs.json',
  out: 'docs/api',
  name: 'kubefluent',
  readme: 'none',
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  // generated/types.ts carries the OpenAPI descriptions as openapi-typescript writes them.
  blockTags: [...OptionDefaults.blockTags, '@description'],
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  // Type-level helpers that appear in signatures but are not API of their own.
  // Every exported declaration and every method needs its comment; fields of options objects
  // and models are documented where they need it (the models carry the API's own text).
  requiredToBeDocumented: ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias', 'Method', 'Accessor', 'Namespace'],
  intentionallyNotExported: ['If', 'Has', 'Verb', 'Sub', 'Loose', 'Sourced', 'HandleFor', 'S', 'PodLike', 'DeploymentLike', 'WithConditions', 'IntOrPercent'],
};

export default config;
