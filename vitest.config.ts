import { defineConfig } from 'vitest/config';

const postgres = process.env.TEST_DATABASE_URL;
if (!postgres) {
  console.warn('TEST_DATABASE_URL is not set: the PostgreSQL run of the suite is skipped (SQLite only).');
}

/**
 * The same suite runs once per database: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
 * `*.postgresql.test.ts` files prove what only PostgreSQL does (instances sharing one database server),
 * `*.sqlite.test.ts` files what only SQLite does (a file locked or made read-only by another process).
 */
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/build-bundles.ts'],
    testTimeout: 30_000,
    // Most tests wait on sockets, timers and child processes rather than the CPU: two files at a time halve the run.
    maxWorkers: 2,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'projections/**/*.ts'],
      exclude: ['src/main.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90 },
    },
    projects: [
      {
        extends: true as const,
        test: {
          name: 'sqlite',
          env: { TEST_DRIVER: 'sqlite' },
          exclude: ['**/node_modules/**', 'tests/**/*.postgresql.test.ts'],
        },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgresql',
                env: { TEST_DRIVER: 'postgresql' },
                exclude: ['**/node_modules/**', 'tests/**/*.sqlite.test.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
