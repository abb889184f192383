import { defineConfig } from 'vitest/config';

// Four tiers: pure unit tests; integration tests against the real local services (started once
// by the global setup); browser journeys in Debian's Chromium against a real local stack; and
// infrastructure tests over real `cdk synth` output.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'functions/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['functions/**/*.int.test.ts', 'scripts/**/*.int.test.ts'],
          globalSetup: ['scripts/test-support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['frontend/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['infra/**/*.test.ts'],
          // Files in one worker share one `cdk synth` (infra/test-support/synth.ts) instead of one each.
          isolate: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
