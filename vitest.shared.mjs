// Shared vitest settings for every workspace package.
// Tests run on sources: the "@tsemu/source" export condition points each
// workspace package at its src/index.ts, so no build is needed before a test.
import { defineConfig } from 'vitest/config';

const conditions = ['@tsemu/source', 'import', 'module', 'node', 'default'];

export function tsemuVitestConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@tsemu/source'] } },
    ...overrides,
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      // Generous: property tests and real-process tests share two cores with the rest of CI.
      testTimeout: 30_000,
      // The JSON report lets tools/workspace/test-summary.mjs print one total for the suite.
      reporters: ['default', 'json'],
      outputFile: { json: '.test-report.json' },
      ...(overrides.test ?? {}),
    },
  });
}
