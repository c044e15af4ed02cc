import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration and e2e tests live under test/.
// The global setup makes sure MariaDB, Redis and Kafka answer before any test runs.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/setup/services.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
