import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer } from './processes.js';

const root = join(import.meta.dirname, '..', '..');

/** One row of the `events` table, `data` and `metadata` as the JSON text the column holds. */
export type EventRow = {
  stream_id: string;
  stream_type: 'conversation' | 'project' | 'document';
  stream_version: number;
  type: string;
  data: string;
  metadata: string;
  schema_version: 1;
  created_at: string;
};

export type LogPlan = {
  /** Messages of each conversation: questions and answers alternating on one branch (rounded up to pairs). */
  messages: number[];
  /** Every n-th answer of a conversation gets a reaction (0: none). */
  reactionEvery: number;
  /** Projects created first; every other conversation is in one of them (none when 0). */
  projects: number;
  /** Time of the first event (ms since epoch); each later event is 1 ms later. Default: so the last is a minute ago. */
  start?: number;
};

export type Log = {
  /** The conversations in plan order; every conversation's id is known before the rows are generated. */
  conversationIds: string[];
  events: number;
  messages: number;
  rows: () => Generator<EventRow>;
};

const MODEL = 'gpt-oss-20b-mxfp4.gguf';
const ANSWER =
  'An event-sourced backend stores every change as an event in one append-only log, and builds the tables the ' +
  'API reads from by replaying that log through projectors. Each conversation is a stream: its events carry ' +
  'consecutive versions, so two writers that race on the same conversation are told apart by a unique ' +
  'constraint instead of a lock. Read models are disposable: dropping them and replaying the log gives the same ' +
  'rows, which is what a rebuild does after a projector changes. The price is paid at replay time, when every ' +
  'event ever written has to be read, decoded and applied again, in the order the log holds them. Batching ' +
  'those writes and keeping the rows being changed in memory is what decides how long that takes.';

/**
 * The event log the real deciders would write for `plan`: projects, then conversations taking turns, each turn
 * one exchange as POST /api/chat/stream stores it (UserMessagePosted, ConversationRenamed on the first question
 * of an untitled conversation, AssistantResponseStarted, MessageCompleted), plus reactions (PATCH
 * /api/messages/:id/reaction). Each message replies to the previous one, so a conversation is one branch.
 * Ids are UUIDv7-shaped and deterministic; `created_at` increases by 1 ms per event.
 */
export function planLog(plan: LogPlan): Log {
  const exchanges = plan.messages.map((m) => Math.ceil(m / 2));
  const reactionsOf = (n: number) => (plan.reactionEvery > 0 ? Math.floor(n / plan.reactionEvery) : 0);
  const events = plan.projects + exchanges.reduce((sum, n) => sum + 1 + (n > 0 ? 1 : 0) + 3 * n + reactionsOf(n), 0);
  const start = plan.start ?? Date.now() - events - 60_000;
  let counter = 0;
  const id = (ms: number) => uuid(ms, counter++);
  const projectIds = Array.from({ length: plan.projects }, () => id(start));
  const conversationIds = plan.messages.map(() => id(start));
  const firstMessage = counter;
  return {
    conversationIds,
    events,
    messages: exchanges.reduce((sum, n) => sum + 2 * n, 0),
    // The same rows on every call: ids are counted from the same place.
    rows: function* () {
      counter = firstMessage;
      let clock = start;
      const row = (
        stream_type: EventRow['stream_type'],
        stream_id: string,
        stream_version: number,
        type: string,
        data: object,
        metadata: string,
      ): EventRow => ({
        stream_id,
        stream_type,
        stream_version,
        type,
        data: JSON.stringify(data),
        metadata,
        schema_version: 1,
        created_at: new Date(clock++).toISOString(),
      });
      const request = () => {
        const requestId = id(clock);
        return `{"request_id":"${requestId}","correlation_id":"${requestId}","causation_id":"${requestId}"}`;
      };

      for (const [i, project_id] of projectIds.entries()) {
        yield row(
          'project',
          project_id,
          1,
          'ProjectCreated',
          {
            project_id,
            name: `Project ${i + 1}`,
            description: null,
            metadata: {},
          },
          request(),
        );
      }
      const streams = conversationIds.map((conversation_id, i) => ({
        conversation_id,
        version: 0,
        exchanges: exchanges[i]!,
        done: -1,
        leaf: null as string | null,
        project_id: plan.projects > 0 && i % 2 === 1 ? projectIds[(i >> 1) % plan.projects]! : null,
      }));
      let open = streams;
      while (open.length > 0) {
        for (const s of open) {
          const { conversation_id } = s;
          if (s.done === -1) {
            s.done = 0;
            const data = { conversation_id, project_id: s.project_id, title: null, metadata: {} };
            yield row('conversation', conversation_id, ++s.version, 'ConversationCreated', data, request());
            continue;
          }
          const turn = ++s.done;
          const metadata = request();
          const question = `Question ${turn}: how does replaying the event log rebuild the read models?`;
          const user = id(clock);
          const answer = id(clock);
          yield row(
            'conversation',
            conversation_id,
            ++s.version,
            'UserMessagePosted',
            {
              conversation_id,
              message_id: user,
              parent_message_id: s.leaf,
              content: question,
              metadata: {},
            },
            metadata,
          );
          if (turn === 1) {
            const title = question.slice(0, 80).trim();
            yield row(
              'conversation',
              conversation_id,
              ++s.version,
              'ConversationRenamed',
              { conversation_id, title },
              metadata,
            );
          }
          yield row(
            'conversation',
            conversation_id,
            ++s.version,
            'AssistantResponseStarted',
            {
              conversation_id,
              message_id: answer,
              parent_message_id: user,
              metadata: { session_id: id(clock), options: {} },
            },
            metadata,
          );
          const content = ANSWER.slice(0, 200 + ((turn * 137) % 500));
          const tokens = Math.round(content.length / 4);
          yield row(
            'conversation',
            conversation_id,
            ++s.version,
            'MessageCompleted',
            {
              conversation_id,
              message_id: answer,
              content,
              token_count: tokens,
              model_name: MODEL,
              completion_time_ms: 40 * tokens + 120,
              finish_reason: 'stop',
              timings: {
                prompt_n: 20 + turn,
                prompt_ms: 35.5,
                predicted_n: tokens,
                predicted_ms: 40 * tokens,
                ttft_ms: 118.25,
              },
            },
            metadata,
          );
          if (plan.reactionEvery > 0 && turn % plan.reactionEvery === 0) {
            const reaction = (turn / plan.reactionEvery) % 2 === 1 ? 'thumbs_up' : 'thumbs_down';
            yield row(
              'conversation',
              conversation_id,
              ++s.version,
              'MessageReactionChanged',
              {
                conversation_id,
                message_id: answer,
                reaction,
              },
              request(),
            );
          }
          s.leaf = answer;
        }
        open = open.filter((s) => s.done < s.exchanges);
      }
    },
  };
}

/** A UUIDv7 of `ms` whose remaining 72 bits are a counter (version 7, variant 10): unique and reproducible. */
function uuid(ms: number, counter: number): string {
  const time = ms.toString(16).padStart(12, '0');
  const rest = counter.toString(16).padStart(18, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${rest.slice(0, 3)}-8${rest.slice(3, 6)}-${rest.slice(6)}`;
}

/** Starts the production server once on the database, so its migrations create the schema, then stops it. */
export async function migrate(databaseUrl: string): Promise<void> {
  const server = await startServer({ DATABASE_URL: databaseUrl, LLM_API_URL: 'http://127.0.0.1:9' });
  await server.stop();
}

const COLUMNS = 'stream_id, stream_type, stream_version, type, data, metadata, schema_version, created_at';

/** Appends `rows` to the `events` table of a migrated database, in large transactions; returns how many. */
export async function writeLog(
  databaseUrl: string,
  rows: Iterable<EventRow>,
  progress?: (written: number) => void,
): Promise<number> {
  const batch = 10_000;
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(sqliteFile(databaseUrl));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      const insert = db.prepare(`insert into events (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)`);
      const many = db.transaction((list: EventRow[]) => {
        for (const r of list) {
          insert.run(r.stream_id, r.stream_type, r.stream_version, r.type, r.data, r.metadata, 1, r.created_at);
        }
      });
      let written = 0;
      for (const list of chunks(rows, batch)) {
        many(list);
        written += list.length;
        progress?.(written);
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
      return written;
    } finally {
      db.close();
    }
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let written = 0;
    for (const list of chunks(rows, batch)) {
      const column = <K extends keyof EventRow>(key: K) => list.map((r) => r[key]);
      await client.query(
        `insert into events (${COLUMNS})
         select s, t, v, ty, d::jsonb, m::jsonb, 1, c
         from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[])
           as u(s, t, v, ty, d, m, c)`,
        [
          column('stream_id'),
          column('stream_type'),
          column('stream_version'),
          column('type'),
          column('data'),
          column('metadata'),
          column('created_at'),
        ],
      );
      written += list.length;
      progress?.(written);
    }
    return written;
  } finally {
    await client.end();
  }
}

function* chunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let list: T[] = [];
  for (const item of items) {
    list.push(item);
    if (list.length === size) {
      yield list;
      list = [];
    }
  }
  if (list.length > 0) yield list;
}

export function sqliteFile(databaseUrl: string): string {
  return databaseUrl.replace(/^sqlite:(?:\/\/\/?)?/, '');
}

export type Rebuilt = {
  /** From the CLI's own `Done: N events in S s` line: the replay, without the process start. */
  events: number;
  seconds: number;
  /** The child process from spawn to exit (loading the bundle, connecting, migrations check, replay). */
  wallSeconds: number;
  /** The last lines the CLI printed. */
  output: string;
};

/** `npm run projections:rebuild` on the database, as a child process; its progress goes to `log` now and then. */
export function rebuildReadModels(databaseUrl: string, log: (line: string) => void): Promise<Rebuilt> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist', 'rebuild-projections.mjs')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let lastLog = performance.now();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      const lines = output.trimEnd().split('\n');
      log(`   ${lines.at(-1)!.trim()}`);
      output = lines.slice(-3).join('\n') + '\n';
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallSeconds = (performance.now() - started) / 1000;
      const done = /Done: (\d+) events in ([\d.]+) s/.exec(output);
      if (code !== 0 || !done) {
        reject(new Error(`projections:rebuild exited with ${code}:\n${output.slice(-2000)}`));
        return;
      }
      resolve({ events: Number(done[1]), seconds: Number(done[2]), wallSeconds, output: output.slice(-2000) });
    });
  });
}

/** Plain SQL on the benchmark's database from this process (better-sqlite3, or pg), for the bounds. */
export type RawDatabase = {
  all: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
};

export async function openRaw(databaseUrl: string): Promise<RawDatabase> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(sqliteFile(databaseUrl), { readonly: true });
    const statements = new Map<string, Database.Statement>();
    return {
      all: async (sql, params) => {
        let statement = statements.get(sql);
        if (!statement) statements.set(sql, (statement = db.prepare(sql)));
        return statement.all(...params) as Record<string, unknown>[];
      },
      close: async () => void db.close(),
    };
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const numbered = new Map<string, string>();
  return {
    all: async (sql, params) => {
      let text = numbered.get(sql);
      if (text === undefined) {
        let n = 0;
        numbered.set(sql, (text = sql.replace(/\?/g, () => `$${++n}`)));
      }
      return (await client.query(text, params)).rows as Record<string, unknown>[];
    },
    close: () => client.end(),
  };
}
