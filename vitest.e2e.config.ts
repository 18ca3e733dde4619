import { defineConfig } from 'vitest/config';

const postgres = process.env.TEST_DATABASE_URL;

/**
 * End-to-end chats through the app against a real llama-server (`scripts/llama-server.sh build`), on SQLite and, when
 * TEST_DATABASE_URL is set, on PostgreSQL. `npm run test:e2e`; the main suite (vitest.config.ts) never runs these.
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    globalSetup: ['tests/e2e/require-llama-server.ts'],
    // Each file starts its own llama-server; one at a time on a machine of two shared cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true as const, test: { name: 'e2e-sqlite', env: { TEST_DRIVER: 'sqlite' } } },
      ...(postgres
        ? [{ extends: true as const, test: { name: 'e2e-postgresql', env: { TEST_DRIVER: 'postgresql' } } }]
        : []),
    ],
  },
});
