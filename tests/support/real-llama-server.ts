import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { killGroup } from './process-group.js';

const root = join(import.meta.dirname, '..', '..');
/** Loading a tiny model takes a second; a router starts no model. The margin is for a loaded machine. */
const START_TIMEOUT = 60_000;

/** Where `scripts/llama-server.sh build` puts llama-server, the tiny models and the grammar. */
export function llamaServerCache(): string {
  return execFileSync(join(root, 'scripts', 'llama-server.sh'), ['path'], { encoding: 'utf8' }).trim();
}

/** What a run needs from the cache that is not there; empty when the cache is complete. */
export function missingFromCache(dir = llamaServerCache()): string[] {
  const needed = ['bin/llama-server', 'models/tiny-gpt-oss.gguf', 'router-models/tiny-gpt-oss-b.gguf', 'harmony.gbnf'];
  return needed.filter((file) => !existsSync(join(dir, file)));
}

export type RealLlamaServer = {
  url: string;
  /** Everything it printed so far (llama-server logs to stderr). */
  output: () => string;
  /** SIGSTOP and SIGCONT: a frozen server sends nothing more, as a slow model would not. */
  pause: () => void;
  resume: () => void;
  /** SIGKILL to its process group (a router's model processes too); resolves once it is gone. */
  close: () => Promise<void>;
};

/**
 * Starts the cached llama-server with `args` on a free loopback port, from the cache dir (so model paths are relative,
 * as in the captures), and waits until GET /health answers 200.
 */
export async function startRealLlamaServer(args: string[]): Promise<RealLlamaServer> {
  const dir = llamaServerCache();
  const port = await freePort();
  const child = spawn(
    join(dir, 'bin', 'llama-server'),
    ['--host', '127.0.0.1', '--port', String(port), '-t', '1', ...args],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilHealthy(url, child);
  } catch (error) {
    killGroup(child);
    throw new Error(`llama-server ${args.join(' ')} did not start: ${String(error)}\n${output}`, { cause: error });
  }
  return {
    url,
    output: () => output,
    pause: () => process.kill(-child.pid!, 'SIGSTOP'),
    resume: () => process.kill(-child.pid!, 'SIGCONT'),
    close: async () => {
      killGroup(child);
      await exited;
    },
  };
}

async function untilHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error(`no 200 from /health in ${START_TIMEOUT} ms`);
    const status = await fetch(`${url}/health`).then(
      (reply) => reply.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** One model, two slots of 2048 tokens, the harmony channels forced (so reasoning really arrives). */
export const ONE_MODEL = ['-m', 'models/tiny-gpt-oss.gguf', '-c', '4096', '-np', '2', '--grammar-file', 'harmony.gbnf'];
/** Router mode: the two models of router-models/, none loaded until asked, one slot each. */
export const ROUTER = [
  '--models-dir',
  'router-models',
  '--models-max',
  '2',
  '--no-models-autoload',
  '-c',
  '4096',
  '-np',
  '1',
  '--grammar-file',
  'harmony.gbnf',
];
/**
 * The tiny model as an embedding server, as the recordings' E (`--embeddings --pooling mean`); `ubatch` sets `-ub`, its
 * physical batch and so the longest input it embeds (llama.cpp's default: 512).
 */
export const embeddingServer = (ubatch?: number) => [
  '-m',
  'models/tiny-gpt-oss.gguf',
  '-c',
  '4096',
  '-np',
  '2',
  '--embeddings',
  '--pooling',
  'mean',
  ...(ubatch === undefined ? [] : ['-ub', String(ubatch)]),
];
