import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { killGroup } from './process-group.js';
import { EnvSchema } from '../../src/config/env.schema.js';

const root = join(import.meta.dirname, '..', '..');
/** The bundle starts in about a second, but a small, busy machine running several test files is slower. */
const START_TIMEOUT = 40_000;

/** `node dist/server.mjs` (what `npm start` runs, built by the suite's global setup) in its own process group. */
export type ServerProcess = {
  child: ChildProcess;
  /** Everything written so far. */
  stdout: () => string;
  stderr: () => string;
  /** The JSON log lines written to stdout so far. */
  logs: () => Record<string, unknown>[];
  /** The URL of the `listening` log line; fails (killing the process) when it exits or stays silent first. */
  listening: () => Promise<string>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** How it ended (code or signal) and its stderr: a message for an assertion on `exited`. */
  describeExit: () => string;
  /** SIGTERM, as a process manager stops it; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /**
   * `signal` to the process of the server's `listening` line (under WORKERS the primary's, of its `all workers
   * listening` line); throws before it logged one.
   */
  signal: (signal: NodeJS.Signals) => void;
  /** SIGKILL to the whole process group (the server and its workers), as a crash; resolves once it is gone. */
  kill: () => Promise<number | null>;
};

const running = new Set<ChildProcess>();

/** Kills every server process still running; for afterAll. */
export function killServerProcesses(): void {
  for (const child of running) killGroup(child);
}

/** Another user to run the server as (a test running as root, which file permissions do not stop). */
export type ProcessUser = { uid?: number; gid?: number };

/**
 * Starts `node dist/server.mjs` from the repository root, as `npm start` does, without waiting for it to listen.
 * Its environment is ours without any configuration variable, plus `env`.
 */
export function spawnServerProcess(env: Record<string, string>, user: ProcessUser = {}): ServerProcess {
  const base = { ...process.env };
  for (const name of Object.keys(EnvSchema.properties)) delete base[name];
  const child = spawn(process.execPath, [join(root, 'dist', 'server.mjs')], {
    cwd: root,
    env: { ...base, ...env },
    detached: true,
    stdio: 'pipe',
    ...user,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exitCode: number | null | undefined;
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      exitCode = code;
      exitSignal = signal;
      resolve(code);
    }),
  );
  const logs = () =>
    stdout
      .split('\n')
      .slice(0, -1) // the last line may still be incomplete
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  async function listening(): Promise<string> {
    const deadline = Date.now() + START_TIMEOUT;
    for (;;) {
      const line = logs().find((log) => log.msg === 'listening');
      if (typeof line?.url === 'string') return line.url;
      if (exitCode !== undefined || Date.now() > deadline) {
        killGroup(child);
        throw new Error(`server did not start (exit ${exitCode}):\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const serverPid = () => {
    const started =
      logs().find((log) => log.msg === 'all workers listening') ?? logs().find((log) => log.msg === 'listening');
    return started?.pid;
  };
  const signal = (name: NodeJS.Signals) => {
    const pid = serverPid();
    if (typeof pid !== 'number') throw new Error('the server has not logged its pid yet');
    process.kill(pid, name);
  };

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    logs,
    listening,
    exited,
    describeExit: () =>
      exitCode === undefined
        ? 'still running'
        : `exited with code ${exitCode}, signal ${exitSignal}; stderr: ${stderr || '(empty)'}`,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    signal,
    kill: () => {
      killGroup(child);
      return exited;
    },
  };
}

/** Spawns the server (see spawnServerProcess) and waits until it listens. */
export async function startServerProcess(
  env: Record<string, string>,
  user: ProcessUser = {},
): Promise<ServerProcess & { url: string }> {
  const server = spawnServerProcess(env, user);
  return { ...server, url: await server.listening() };
}

/** `WORKERS=n`: spawns the server and waits until the primary reports every worker listening. */
export async function startClusterProcess(
  env: Record<string, string>,
  workers: number,
): Promise<ServerProcess & { url: string }> {
  const server = spawnServerProcess({ ...env, WORKERS: String(workers) });
  const url = await server.listening();
  const deadline = Date.now() + START_TIMEOUT;
  while (!server.logs().some((log) => log.msg === 'all workers listening')) {
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`the workers did not all start:\n${server.stdout()}\n${server.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ...server, url };
}
