import { afterAll } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { freshDatabase, type TestDatabase } from './test-database.js';

export type TestServer = RunningServer & { database: TestDatabase };

/** An unreachable llama.cpp by default: port 9 (discard) refuses connections on loopback. */
const NO_LLM = 'http://127.0.0.1:9';

/** The documented defaults (an empty environment), but what a test server must differ in. */
export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}),
    port: 0,
    databaseUrl,
    llmApiUrl: NO_LLM,
    corsOrigins: ['http://localhost:3000'],
    logLevel: 'silent',
    llmTimeoutMs: 5_000,
    llmIdleTimeoutMs: 5_000,
    // Answers still running when a test server closes are cancelled at once, without waiting.
    shutdownTimeoutMs: 0,
    ...overrides,
  };
}

const started: TestServer[] = [];

// Registered when a test file imports this module: hooks added later, inside beforeAll or a test, are ignored.
afterAll(async () => {
  for (const server of started.splice(0)) {
    await server.close();
    await server.database.drop();
  }
});

/** The real app on a real database and an ephemeral port; stopped after the test file. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const database = await freshDatabase();
  const running = await startServer(testConfig(database.url, overrides));
  const server = { ...running, database };
  started.push(server);
  return server;
}
