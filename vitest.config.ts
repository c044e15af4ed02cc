import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration and e2e tests live under test/.
// The global setup makes sure MariaDB, Redis and Kafka answer before any test runs.
export default defineConfig({
  // One copy of graphql for every importer. Node loads graphql's CommonJS build for the
  // libraries; without this alias vite hands our own code the .mjs build, and graphql refuses
  // schemas and errors from "another module or realm".
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts', 'console/**/*.test.ts'],
    // The second setup installs Chromium and builds the console for test/browser/ when needed.
    globalSetup: ['test/setup/services.ts', 'test/browser/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
