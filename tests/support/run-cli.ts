import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EnvSchema } from '../../src/config/env.schema.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { httpClient, type HttpClient } from './http-client.js';
import { testConfig } from './test-server.js';

const root = join(import.meta.dirname, '..', '..');

export type CliRun = { code: number | null; stdout: string; stderr: string };

/**
 * Runs `node dist/<cli>.mjs ...args` (the bundle its npm script runs, built by the suite's global setup) to its end,
 * with none of the app's settings inherited, only `env`; killed after `timeoutMs`.
 */
export function runCli(
  cli: 'rebuild-projections' | 'copy-database',
  args: string[],
  options: { env?: Record<string, string>; timeoutMs: number },
): Promise<CliRun> {
  const env = { ...process.env };
  for (const name of Object.keys(EnvSchema.properties)) delete env[name];
  const child = spawn(process.execPath, [join(root, 'dist', `${cli}.mjs`), ...args], {
    cwd: root,
    env: { ...env, ...options.env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Runs `use` against a server on the database, started for it and stopped after. */
export async function withServer<T>(
  databaseUrl: string,
  use: (api: HttpClient, server: RunningServer) => Promise<T>,
): Promise<T> {
  const server = await startServer(testConfig(databaseUrl));
  try {
    return await use(httpClient(server.url), server);
  } finally {
    await server.close();
  }
}
