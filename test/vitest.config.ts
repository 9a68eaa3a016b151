import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    // The unit layer has its own config (vitest.unit.config.ts), without the server set up here.
    exclude: ['test/unit/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Every file gets a database of its own; two workers match the machines' two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    hookTimeout: 120_000,
  },
});
