import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const running = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export type BenchProcess = { url: string; pid: number; stop: () => Promise<void>; rssMb: () => number };

/** Resident memory of a process, from /proc (Linux). */
export function rssMbOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? Number.NaN) / 1024;
}

/** Of a process's resident memory, what is its own (heap, stacks: RssAnon) and what is mapped files (RssFile). */
export function rssPartsMbOf(pid: number): { anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n');
  const field = (name: string) =>
    Number(status.find((l) => l.startsWith(`${name}:`))?.match(/(\d+)/)?.[1] ?? Number.NaN) / 1024;
  return { anon: field('RssAnon'), file: field('RssFile') + field('RssShmem') };
}

/** CPU time (user + system) a process has used so far, in ms (from /proc, in clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  }).then(() => void running.delete(child));
}

function spawnUntil(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = ready.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
  return { child, url, stop: () => stopChild(child) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The production build (`dist/server.mjs`), as `npm start` runs it, with its default logging (one line per
 * request, to a stdout nobody reads). Resolves at its first answer from /health; `startedInMs` is how long that took.
 */
export type BenchServer = BenchProcess & { startedInMs: number };

export async function startServer(env: Record<string, string>): Promise<BenchServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist', 'server.mjs')], {
    cwd: root,
    // The bench is one client address standing in for hundreds of users: no per-client stream limit.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SSE_MAX_PER_CLIENT: '100000', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.add(child);
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`the server exited before answering /health (${JSON.stringify(env)})`);
    const health = await fetch(`${url}/health`).catch(() => null);
    if (health) {
      await health.arrayBuffer();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startedInMs = performance.now() - startedAt;
  return { url, pid: child.pid!, stop: () => stopChild(child), rssMb: () => rssMbOf(child.pid!), startedInMs };
}

/** The project's llama.cpp double in its own process, with CLI flags (see `npm run fake-llm -- --help`). */
export async function startDouble(flags: string[]): Promise<BenchProcess> {
  // `node --import tsx`, not the tsx binary: one process, so stopping it stops the double itself.
  const double = spawnUntil(
    process.execPath,
    ['--import', 'tsx', join(root, 'tools', 'llama-double', 'cli.ts'), '--port', '0', ...flags],
    process.env,
    /listening on (http:\/\/\S+)/,
  );
  return { url: await double.url, pid: double.child.pid!, stop: double.stop, rssMb: () => rssMbOf(double.child.pid!) };
}

/** A fresh SQLite file, or BENCH_DATABASE_URL when set (PostgreSQL: a new database on that server). */
export async function freshDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.BENCH_DATABASE_URL;
  if (!admin) {
    const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-bench-'));
    return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { default: pg } = await import('pg');
  const name = `gpt_oss_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await run(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

/** Runs `use` with a server (see startServer) on a fresh database; both are gone afterwards, whatever happened. */
export async function withServer<T>(env: Record<string, string>, use: (server: BenchServer) => Promise<T>): Promise<T> {
  const database = await freshDatabaseUrl();
  try {
    const server = await startServer({ DATABASE_URL: database.url, ...env });
    try {
      return await use(server);
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}
