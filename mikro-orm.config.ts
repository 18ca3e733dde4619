import { defineConfig, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { ConversationView } from './projections/conversation.entity.js';
import { DocumentTextView, DocumentView, KnowledgeChunkView } from './projections/knowledge.entity.js';
import { MessageView } from './projections/message.entity.js';
import { ProjectView } from './projections/project.entity.js';
import { ProjectionCheckpoint } from './projections/checkpoint.entity.js';
import { SearchDocumentView } from './projections/search.entity.js';
import { UsageMessageView } from './projections/usage.entity.js';
import { defaultDatabaseUrl, parseDatabaseUrl } from './src/db/database-url.js';
import { loadSqliteExtensions } from './src/db/sqlite-extensions.js';
import { migrationOptions } from './src/db/migrations/migrations.js';
import { EventRecord } from './src/event-store/event.entity.js';

const entities = [
  EventRecord,
  ProjectionCheckpoint,
  ProjectView,
  ConversationView,
  MessageView,
  SearchDocumentView,
  UsageMessageView,
  DocumentView,
  DocumentTextView,
  KnowledgeChunkView,
];

type SqliteConnection = { pragma: (statement: string) => unknown } & Parameters<typeof loadSqliteExtensions>[0];

/**
 * The one configuration of the ORM, for the app, the scripts and (with its migrations) the MikroORM CLI. The
 * PostgreSQL driver is loaded only for PostgreSQL: a server on SQLite starts faster and smaller without it.
 */
export async function ormConfig(databaseUrl: string = defaultDatabaseUrl): Promise<Options> {
  const target = parseDatabaseUrl(databaseUrl);
  const common = {
    entities,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    debug: false,
  } satisfies Options;
  if (target.kind === 'postgresql') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    return defineConfig({ ...common, driver: PostgreSqlDriver, clientUrl: target.url, pool: { min: 1, max: 10 } });
  }
  return defineConfig({
    ...common,
    driver: BetterSqliteDriver,
    dbName: target.file,
    pool: {
      afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) {
        connection.pragma('journal_mode = WAL');
        connection.pragma('synchronous = NORMAL');
        connection.pragma('busy_timeout = 5000');
        connection.pragma('foreign_keys = ON');
        // Whatever SQLite frees is overwritten with zeros at once: text rewritten long before a purge (a row that
        // grew, FTS5 index segments merged) must not linger in free space (src/db/scrubbed-deletes.ts).
        connection.pragma('secure_delete = ON');
        // Reads through a memory map of the first GiB: a vec0 search reads every vector of the project (300 MB at
        // 100,000 chunks of 768 dimensions), which through the pager's read() calls took twice as long. The pages
        // mapped are the OS's page cache, counted in the process's RSS as file pages, not its own memory.
        connection.pragma(`mmap_size = ${2 ** 30}`);
        loadSqliteExtensions(connection);
        done(null, connection);
      },
    },
  });
}

/** For `npx mikro-orm` (which calls it): the app's configuration plus the migrator. */
export default async function cliConfig(): Promise<Options> {
  const url = process.env.DATABASE_URL ?? defaultDatabaseUrl;
  return { ...(await ormConfig(url)), ...(await migrationOptions(parseDatabaseUrl(url).kind)) };
}
