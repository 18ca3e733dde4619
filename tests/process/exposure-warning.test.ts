import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killServerProcesses, spawnServerProcess } from '../support/server-process.js';

const TEST_TIMEOUT = 90_000;
const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-exposure-'));

afterAll(() => {
  killServerProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** The warn-level (40) lines a server process logged by the time it listened; it is stopped afterwards. */
async function warningsOf(env: Record<string, string>, name: string) {
  const server = spawnServerProcess({
    LLM_API_URL: 'http://127.0.0.1:9',
    PORT: '0',
    DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
    LOG_LEVEL: 'info',
    ...env,
  });
  await server.listening();
  server.signal('SIGTERM');
  expect(await server.exited, server.describeExit()).toBe(0);
  return server.logs().filter((line) => line.level === 40);
}

describe('a server bound beyond this machine', () => {
  it(
    'logs a warning at start when HOST is not loopback and API_TOKEN is unset, and none once a token is set',
    async () => {
      const open = await warningsOf({ HOST: '0.0.0.0' }, 'open');
      expect(open).toEqual([expect.objectContaining({ host: '0.0.0.0', msg: expect.stringMatching(/API_TOKEN/) })]);
      const guarded = await warningsOf({ HOST: '0.0.0.0', API_TOKEN: 'a-long-enough-test-token' }, 'guarded');
      expect(guarded).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
