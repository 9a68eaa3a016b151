import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The unit layer: pure functions of src/, no build, no database, no server. A test here that
 * needs a connection is testing the wrong thing: split the decision from the query instead.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/unit/**/*.test.ts'],
    // Fails any test that opens a connection or a server: a unit here needs neither.
    setupFiles: ['test/unit/support/no-network.ts'],
    // The JSON report lets .ci/run count these tests with the integration suite's.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-unit-results.json' },
  },
});
