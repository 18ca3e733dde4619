import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ConversationView } from '../../../projections/conversation.entity.js';
import type { Database } from '../../../src/db/connect-database.js';
import { dialectOf } from '../../../src/db/dialect.js';
import { runSql } from '../../../src/db/run-sql.js';

/** The conversation row `id` as the ORM reads it after commit, every column; null when there is none. */
export async function committedConversation(db: Database, id: string): Promise<Record<string, unknown> | null> {
  const found = await db.em().findOne(ConversationView, { id }, { disableIdentityMap: true });
  return found ? (wrap(found).toPOJO() as Record<string, unknown>) : null;
}

/** How many rows `table` holds, read on `em` (inside a transaction: its own connection). */
export async function countRows(em: EntityManager, table: string): Promise<number> {
  const [row] = await runSql<{ n: number | string }>(em, `select count(*) as n from ${table}`);
  return Number(row!.n);
}

/** How many search documents the database's full-text index finds for `word`. */
export async function indexed(em: EntityManager, word: string): Promise<number> {
  const [row] =
    dialectOf(em) === 'sqlite'
      ? await runSql<{ n: number }>(em, 'select count(*) as n from search_fts where search_fts match ?', [word])
      : await runSql<{ n: string }>(
          em,
          "select count(*) as n from search_documents where words @@ plainto_tsquery('simple', ?)",
          [word],
        );
  return Number(row!.n);
}
