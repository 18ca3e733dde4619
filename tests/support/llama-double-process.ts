import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { killGroup } from './process-group.js';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
/** tsx compiles on start; on a small, busy machine that takes a few seconds. */
const START_TIMEOUT = 40_000;

/** `npm run fake-llm` in a process of its own, which a test can kill like a crashing llama-server. */
export type LlamaDoubleProcess = {
  url: string;
  port: number;
  /** SIGKILL to the process group (tsx and the double); resolves once it is gone. */
  kill: () => Promise<void>;
};

const running = new Set<ChildProcess>();

/** Kills every double process still running; for afterAll. */
export function killLlamaDoubleProcesses(): void {
  for (const child of running) killGroup(child);
}

/** Starts `tsx tools/llama-double/cli.ts ...args` and waits until it prints the URL it listens on. */
export async function startLlamaDoubleProcess(args: string[]): Promise<LlamaDoubleProcess> {
  const child = spawn(tsx, [join(root, 'tools', 'llama-double', 'cli.ts'), ...args], {
    cwd: root,
    detached: true,
    stdio: 'pipe',
  });
  running.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      running.delete(child);
      resolve();
    }),
  );
  const deadline = Date.now() + START_TIMEOUT;
  let url: string | undefined;
  while (!(url = /listening on (http:\/\/\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) {
      killGroup(child);
      throw new Error(`the llama.cpp double did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    port: Number(new URL(url).port),
    kill: async () => {
      killGroup(child);
      await exited;
    },
  };
}
