import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { chat, newConversation } from '../support/chat-load.js';
import { atLeast, figure } from '../support/figure.js';
import { startDouble, withServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';

const CONNECTIONS = 50;

/**
 * Commands over HTTP (autocannon, after a warm-up that is not counted) against raw better-sqlite3 inserts, one
 * transaction each, in one process.
 */
export const commands: Scenario = {
  name: 'commands',
  async run(ctx) {
    const seconds = ctx.quick ? 1 : 10;
    const warmUpSeconds = ctx.quick ? 1 : 3;
    const createRate: number[] = [];
    const createP99: number[] = [];
    const reactRate: number[] = [];
    const reactP99: number[] = [];
    const rawRate: number[] = [];
    const double = await startDouble(['--tokens', '3', '--slots', '8']);
    try {
      for (let run = 0; run < ctx.runs; run++) {
        // The queue holds every seeding chat at once: CONNECTIONS of them start together.
        const env = { LLM_API_URL: double.url, LLM_MAX_CONCURRENCY: '8', LLM_MAX_QUEUE: String(CONNECTIONS) };
        await withServer(env, async (server) => {
          const create = [{ method: 'POST' as const, path: '/api/conversations', body: '{"title":"benchmark"}' }];
          // Not counted: the server's first seconds (JIT compilation, caches filling) are not its steady rate.
          await load(server.url, warmUpSeconds, create);
          const created = await load(server.url, seconds, create);
          createRate.push(created.rate);
          createP99.push(created.p99);

          const answers = await seedAnswers(server.url, ctx.quick ? 10 : CONNECTIONS);
          const reactions = answers.flatMap((id) =>
            ['thumbs_up', 'thumbs_down'].map((reaction) => ({
              method: 'PATCH' as const,
              path: `/api/messages/${id}/reaction`,
              body: JSON.stringify({ reaction }),
            })),
          );
          const reacted = await load(server.url, seconds, reactions);
          reactRate.push(reacted.rate);
          reactP99.push(reacted.p99);
          rawRate.push(rawInsertRate(Math.max(1000, Math.round(created.rate * seconds))));
        });
      }
    } finally {
      await double.stop();
    }
    const bound = { label: 'raw better-sqlite3 inserts, a transaction each', runs: rawRate };
    return [
      figure('commands', 'create conversation', 'req/s', createRate, bound, atLeast(2000, 'req/s')),
      figure('commands', 'create conversation p99', 'ms', createP99),
      figure('commands', 'set reaction', 'req/s', reactRate, bound, atLeast(2000, 'req/s')),
      figure('commands', 'set reaction p99', 'ms', reactP99),
    ];
  },
};

type Request = { method: 'POST' | 'PATCH'; path: string; body: string };

async function load(url: string, seconds: number, requests: Request[]): Promise<{ rate: number; p99: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${failed} of ${result.requests.total} requests failed (${requests[0]!.path})`);
  return { rate: result.requests.average, p99: result.latency.p99 };
}

/** One answered chat in each of `count` conversations; returns the answers' ids. */
async function seedAnswers(url: string, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const id = await newConversation(url);
      const stream = await chat(url, id, 'something to react to');
      return /"type":"complete","message_id":"([^"]+)"/.exec(stream)![1]!;
    }),
  );
}

/** What the disk and SQLite allow: inserts of event-sized rows, one transaction each, no HTTP, no ORM. */
function rawInsertRate(count: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-bench-raw-'));
  const db = new Database(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'create table events (position integer primary key autoincrement, stream_id text, stream_type text, ' +
        'stream_version integer, type text, data text, metadata text, created_at text, unique (stream_id, stream_version))',
    );
    const insert = db.prepare(
      'insert into events (stream_id, stream_type, stream_version, type, data, metadata, created_at) values (?, ?, 1, ?, ?, ?, ?)',
    );
    const once = db.transaction((i: number) =>
      insert.run(
        `stream-${i}`,
        'conversation',
        'ConversationCreated',
        '{"title":"benchmark"}',
        '{}',
        new Date().toISOString(),
      ),
    );
    const started = performance.now();
    for (let i = 0; i < count; i++) once(i);
    return count / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
