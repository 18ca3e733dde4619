import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { atLeast, figure } from '../support/figure.js';
import { freshDatabaseUrl } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { migrate, openRaw, planLog, rebuildReadModels, sqliteFile, writeLog, type Log } from '../support/seed-log.js';

/** The rebuild's own batch size (src/cli/rebuild-projections.ts), used for the raw inserts too. */
const BATCH = 2000;
/** The read models a rebuild writes, with their columns. */
const TABLES = {
  projects: ['id', 'name', 'description', 'metadata', 'created_at', 'updated_at', 'deleted_at', 'version'],
  conversations: [
    'id',
    'project_id',
    'title',
    'metadata',
    'created_at',
    'updated_at',
    'deleted_at',
    'last_message_at',
    'activity_at',
    'message_count',
    'current_leaf_id',
    'version',
  ],
  messages: [
    'id',
    'conversation_id',
    'seq',
    'role',
    'content',
    'status',
    'finish_reason',
    'reaction',
    'parent_message_id',
    'token_count',
    'model_name',
    'completion_time_ms',
    'metadata',
    'created_at',
    'updated_at',
  ],
} as const;
type Table = keyof typeof TABLES;

/**
 * `npm run projections:rebuild` over a log of 1,000,000 events (100 conversations of 5,000 messages, every answer
 * reacted to), seeded straight into the events table. Against: inserting the rows that rebuild produces, in
 * batches with prepared statements, in this process — the writes no replay can avoid.
 */
export const rebuild: Scenario = {
  name: 'rebuild',
  async run(ctx) {
    const conversations = ctx.quick ? 4 : 100;
    const messages = ctx.quick ? 250 : 5_000;
    const log = planLog({ messages: Array<number>(conversations).fill(messages), reactionEvery: 1, projects: 0 });
    const rates: number[] = [];
    const walls: number[] = [];
    const bounds: number[] = [];
    const database = await freshDatabaseUrl();
    try {
      await migrate(database.url);
      ctx.log(`  seeding ${log.events} events (${conversations} conversations of ${messages} messages)`);
      const seeding = performance.now();
      const written = await writeLog(database.url, log.rows(), (n) => {
        if (n % 200_000 === 0) ctx.log(`   ${n} events written`);
      });
      if (written !== log.events) throw new Error(`wrote ${written} of ${log.events} events`);
      ctx.log(`  seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
      ctx.log(
        `  reading and decoding the log raw: ${Math.round(log.events / (await rawReadSeconds(database.url)))} events/s`,
      );
      for (let run = 0; run < ctx.runs; run++) {
        const rebuilt = await rebuildReadModels(database.url, ctx.log);
        ctx.log(
          `  projections:rebuild: ${rebuilt.events} events in ${rebuilt.seconds} s ` +
            `(process ${rebuilt.wallSeconds.toFixed(1)} s)`,
        );
        if (rebuilt.events !== log.events) {
          throw new Error(`the rebuild replayed ${rebuilt.events} of ${log.events}:\n${rebuilt.output}`);
        }
        if (run === 0) await check(database.url, log);
        rates.push(rebuilt.events / rebuilt.seconds);
        walls.push(rebuilt.wallSeconds);
        const raw = await rawInsert(database.url);
        ctx.log(
          `  raw inserts: ${raw.rows} read-model rows in ${raw.seconds.toFixed(2)} s ` +
            `(${Math.round(raw.rows / raw.seconds)} rows/s)`,
        );
        bounds.push(log.events / raw.seconds);
      }
    } finally {
      await database.drop();
    }
    return [
      figure(
        'rebuild',
        `projections:rebuild of ${log.events} events`,
        'events/s',
        rates,
        { label: `raw batched INSERTs of the rows it produces, as events/s`, runs: bounds },
        atLeast(50_000, 'events/s'),
      ),
      figure('rebuild', `projections:rebuild of ${log.events} events, process start to exit`, 's', walls),
    ];
  },
};

/** The read models hold exactly what the log says. */
async function check(databaseUrl: string, log: Log): Promise<void> {
  const raw = await openRaw(databaseUrl);
  try {
    const one = async (sql: string) => Number(Object.values((await raw.all(sql, []))[0]!)[0]);
    const expect = async (what: string, sql: string, value: number) => {
      const actual = await one(sql);
      if (actual !== value) throw new Error(`after the rebuild, ${what} is ${actual}, not ${value}`);
    };
    const conversations = log.conversationIds.length;
    await expect('the conversation count', 'select count(*) from conversations', conversations);
    await expect('the message count', 'select count(*) from messages', log.messages);
    await expect('the sum of message_count', 'select sum(message_count) from conversations', log.messages);
    await expect('the completed answers', "select count(*) from messages where status = 'complete'", log.messages);
    await expect('the reactions', 'select count(*) from messages where reaction is not null', log.messages / 2);
    await expect(
      'the checkpoints behind',
      `select count(*) from projection_checkpoints where position <> ${log.events}`,
      0,
    );
  } finally {
    await raw.close();
  }
}

/** What reading the whole log costs without the ORM: BATCH events a query, in log order, JSON decoded. */
async function rawReadSeconds(databaseUrl: string): Promise<number> {
  const raw = await openRaw(databaseUrl);
  try {
    const started = performance.now();
    const read = `select position, stream_id, stream_type, stream_version, type, data, metadata, schema_version, created_at
      from events where position > ? order by position limit ${BATCH}`;
    let after = 0;
    for (;;) {
      const batch = await raw.all(read, [after]);
      if (batch.length === 0) break;
      for (const row of batch) {
        if (typeof row.data === 'string') row.data = JSON.parse(row.data);
        if (typeof row.metadata === 'string') row.metadata = JSON.parse(row.metadata);
      }
      after = Number(batch.at(-1)!.position);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await raw.close();
  }
}

/** Copies every read-model row into empty tables of the same schema, BATCH rows a transaction; only the inserts are timed. */
async function rawInsert(databaseUrl: string): Promise<{ rows: number; seconds: number }> {
  const source = await openRaw(databaseUrl);
  const target = await openTarget(databaseUrl);
  let rows = 0;
  let ms = 0;
  try {
    for (const table of Object.keys(TABLES) as Table[]) {
      const columns = TABLES[table];
      const read = `select ${columns.join(', ')} from ${table} where id > ? order by id limit ${BATCH}`;
      let after = '';
      for (;;) {
        const batch = await source.all(read, [after]);
        if (batch.length === 0) break;
        after = batch.at(-1)!.id as string;
        const values = batch.map((row) => columns.map((c) => row[c]));
        const started = performance.now();
        await target.insert(table, values);
        ms += performance.now() - started;
        rows += batch.length;
      }
    }
  } finally {
    await target.close();
    await source.close();
  }
  return { rows, seconds: ms / 1000 };
}

type Target = { insert: (table: Table, rows: unknown[][]) => Promise<void>; close: () => Promise<void> };

/** Empty copies of the read-model tables: a new SQLite file with the same DDL, or tables LIKE them in PostgreSQL. */
async function openTarget(databaseUrl: string): Promise<Target> {
  if (databaseUrl.startsWith('sqlite:')) {
    const source = new Database(sqliteFile(databaseUrl), { readonly: true });
    const ddl = source
      .prepare(
        "select sql from sqlite_master where tbl_name in ('projects', 'conversations', 'messages') and sql is not null",
      )
      .pluck()
      .all() as string[];
    source.close();
    const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-bench-raw-'));
    const db = new Database(join(dir, 'raw.db'));
    // As the server opens its database (mikro-orm.config.ts).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    for (const sql of ddl) db.exec(sql);
    const inserts = new Map<Table, (rows: unknown[][]) => void>();
    for (const table of Object.keys(TABLES) as Table[]) {
      const columns = TABLES[table];
      const insert = db.prepare(
        `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      );
      inserts.set(
        table,
        db.transaction((rows: unknown[][]) => rows.forEach((row) => insert.run(row))),
      );
    }
    return {
      insert: async (table, rows) => inserts.get(table)!(rows),
      close: async () => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const copy = (table: Table) => `bench_raw_${table}`;
  for (const table of Object.keys(TABLES) as Table[]) {
    await client.query(`create table ${copy(table)} (like ${table} including all)`);
  }
  return {
    insert: async (table, rows) => {
      const width = TABLES[table].length;
      const tuples = rows.map((_, r) => `(${TABLES[table].map((_c, c) => `$${r * width + c + 1}`).join(', ')})`);
      const params = rows.flatMap((row) =>
        row.map((value) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value)),
      );
      await client.query('begin');
      await client.query(
        `insert into ${copy(table)} (${TABLES[table].join(', ')}) values ${tuples.join(', ')}`,
        params,
      );
      await client.query('commit');
    },
    close: async () => {
      for (const table of Object.keys(TABLES) as Table[]) await client.query(`drop table ${copy(table)}`);
      await client.end();
    },
  };
}
