import { spawn } from 'node:child_process';
import { atMost, figure } from '../support/figure.js';
import { freshDatabaseUrl, rssMbOf, startDouble, startServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { chatMany } from '../support/chat-load.js';

/** Start to first /health answer, and resident memory idle and after many messages, against an empty Node. */
export const start: Scenario = {
  name: 'start',
  async run(ctx) {
    const messages = ctx.quick ? 100 : 10_000;
    const startMs: number[] = [];
    const emptyMs: number[] = [];
    const idleMb: number[] = [];
    const emptyMb: number[] = [];
    const loadedMb: number[] = [];
    const double = await startDouble(['--tokens', '5', '--slots', '8']);
    try {
      for (let run = 0; run < ctx.runs; run++) {
        emptyMs.push(await emptyNodeMs());
        emptyMb.push(await emptyNodeRssMb());
        const database = await freshDatabaseUrl();
        // The first start creates the database; the figure is a start on an existing one, as every later day.
        const env = { DATABASE_URL: database.url, LLM_API_URL: double.url, LLM_MAX_CONCURRENCY: '8' };
        await (await startServer(env)).stop();
        const server = await startServer(env);
        startMs.push(server.startedInMs);
        await new Promise((resolve) => setTimeout(resolve, 500));
        idleMb.push(server.rssMb());
        ctx.log(`  seeding ${messages} messages`);
        await chatMany(server.url, messages / 2, 8);
        global.gc?.();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        loadedMb.push(server.rssMb());
        await server.stop();
        await database.drop();
      }
    } finally {
      await double.stop();
    }
    return [
      figure(
        'start',
        'start to first /health answer',
        'ms',
        startMs,
        { label: '`node -e` empty process', runs: emptyMs },
        atMost(1000, 'ms'),
      ),
      figure(
        'start',
        'RSS idle after start',
        'MB',
        idleMb,
        { label: 'empty node process', runs: emptyMb },
        atMost(120, 'MB'),
      ),
      figure(
        'start',
        `RSS after ${messages} messages`,
        'MB',
        loadedMb,
        { label: 'empty node process', runs: emptyMb },
        atMost(120, 'MB'),
      ),
    ];
  },
};

function emptyNodeMs(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).once('exit', () => resolve(performance.now() - started));
  });
}

function emptyNodeRssMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
  return new Promise((resolve) => {
    setTimeout(() => {
      const rss = rssMbOf(child.pid!);
      child.kill();
      resolve(rss);
    }, 300);
  });
}
