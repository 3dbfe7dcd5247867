import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `kubefluent` resolves to the sources, as tsconfig's paths say (examples and README snippets import it by name).
const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const alias = {
  'kubefluent/builders': src('./src/builders.ts'),
  'kubefluent/testenv': src('./src/testenv.ts'),
  'kubefluent/testing': src('./src/testing.ts'),
  'kubefluent/models': src('./src/models.ts'),
  'kubefluent/controller': src('./src/controller.ts'),
  kubefluent: src('./src/index.ts'),
};

// Two projects: `unit` needs no network; `integration` runs against the real local
// control plane that test/global-setup.ts starts once (or the cluster named by
// KUBEFLUENT_TEST_KUBECONFIG). Integration files end in `.int.test.ts`.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
