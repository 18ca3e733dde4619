import type { Options } from '@mikro-orm/core';
import type { DatabaseTarget } from '../database-url.js';

/** Names of every migration, newest last; a start compares them with what the database has applied. */
export const migrationNames = [
  '0001-init',
  '0002-current-leaf',
  '0003-streaming-index',
  '0004-transaction-id',
  '0005-instances',
  '0006-message-depth',
  '0007-unbounded-text',
  '0008-search',
  '0009-usage',
  '0010-reasoning',
  '0011-settings',
  '0012-knowledge',
  '0013-vectors',
] as const;

/**
 * The migrator and the migration classes, loaded only when something is pending or the CLI asks:
 * @mikro-orm/migrations pulls in umzug and its command-line stack, a large share of start-up time.
 */
export async function migrationOptions(
  kind: DatabaseTarget['kind'],
): Promise<Pick<Options, 'extensions' | 'migrations'>> {
  const [
    { Migrator },
    sqlite1,
    postgresql1,
    sqlite2,
    postgresql2,
    sqlite3,
    postgresql3,
    sqlite4,
    postgresql4,
    sqlite5,
    postgresql5,
    sqlite6,
    postgresql6,
    sqlite7,
    postgresql7,
    sqlite8,
    postgresql8,
    sqlite9,
    postgresql9,
    sqlite10,
    postgresql10,
    sqlite11,
    postgresql11,
    sqlite12,
    postgresql12,
    sqlite13,
    postgresql13,
  ] = await Promise.all([
    import('@mikro-orm/migrations'),
    import('./sqlite-0001-init.js'),
    import('./postgresql-0001-init.js'),
    import('./sqlite-0002-current-leaf.js'),
    import('./postgresql-0002-current-leaf.js'),
    import('./sqlite-0003-streaming-index.js'),
    import('./postgresql-0003-streaming-index.js'),
    import('./sqlite-0004-transaction-id.js'),
    import('./postgresql-0004-transaction-id.js'),
    import('./sqlite-0005-instances.js'),
    import('./postgresql-0005-instances.js'),
    import('./sqlite-0006-message-depth.js'),
    import('./postgresql-0006-message-depth.js'),
    import('./sqlite-0007-unbounded-text.js'),
    import('./postgresql-0007-unbounded-text.js'),
    import('./sqlite-0008-search.js'),
    import('./postgresql-0008-search.js'),
    import('./sqlite-0009-usage.js'),
    import('./postgresql-0009-usage.js'),
    import('./sqlite-0010-reasoning.js'),
    import('./postgresql-0010-reasoning.js'),
    import('./sqlite-0011-settings.js'),
    import('./postgresql-0011-settings.js'),
    import('./sqlite-0012-knowledge.js'),
    import('./postgresql-0012-knowledge.js'),
    import('./sqlite-0013-vectors.js'),
    import('./postgresql-0013-vectors.js'),
  ]);
  const list =
    kind === 'postgresql'
      ? [
          postgresql1.PostgresqlInit,
          postgresql2.PostgresqlCurrentLeaf,
          postgresql3.PostgresqlStreamingIndex,
          postgresql4.PostgresqlTransactionId,
          postgresql5.PostgresqlInstances,
          postgresql6.PostgresqlMessageDepth,
          postgresql7.PostgresqlUnboundedText,
          postgresql8.PostgresqlSearch,
          postgresql9.PostgresqlUsage,
          postgresql10.PostgresqlReasoning,
          postgresql11.PostgresqlSettings,
          postgresql12.PostgresqlKnowledge,
          postgresql13.PostgresqlVectors,
        ]
      : [
          sqlite1.SqliteInit,
          sqlite2.SqliteCurrentLeaf,
          sqlite3.SqliteStreamingIndex,
          sqlite4.SqliteTransactionId,
          sqlite5.SqliteInstances,
          sqlite6.SqliteMessageDepth,
          sqlite7.SqliteUnboundedText,
          sqlite8.SqliteSearch,
          sqlite9.SqliteUsage,
          sqlite10.SqliteReasoning,
          sqlite11.SqliteSettings,
          sqlite12.SqliteKnowledge,
          sqlite13.SqliteVectors,
        ];
  return {
    extensions: [Migrator],
    migrations: {
      migrationsList: list.map((migration, i) => ({ name: migrationNames[i]!, class: migration })),
      snapshot: false,
      silent: true,
    },
  };
}
