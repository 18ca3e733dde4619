import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../src/db/dialect.js';
import { runSql } from '../src/db/run-sql.js';

/**
 * SQLite's FTS5 index over search_documents (migration sqlite-0007-search) takes inserts and updates from
 * triggers; what leaves the table is taken out of the index here. PostgreSQL's index is part of the table.
 */
export async function unindexConversation(em: EntityManager, conversationId: string): Promise<void> {
  if (dialectOf(em) !== 'sqlite') return;
  // An external-content index forgets a row given the text it indexed, so this runs before the rows are deleted.
  await runSql(
    em,
    `insert into search_fts (search_fts, rowid, body)
     select 'delete', seq, body from search_documents where conversation_id = ?`,
    [conversationId],
  );
}

/** Empties the whole index at once, for a rebuild that empties search_documents. */
export async function emptyIndex(em: EntityManager): Promise<void> {
  if (dialectOf(em) !== 'sqlite') return;
  await runSql(em, `insert into search_fts (search_fts) values ('delete-all')`);
}
