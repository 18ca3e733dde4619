import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { inCallersTransaction } from './callers-transaction.js';
import { storeOnPostgresql } from './postgresql-store.js';
import { storeOnSqlite } from './sqlite-store.js';
import type { VectorEntry } from './types.js';
import { checkModel, checkVector } from './vectors.js';

/**
 * Stores each chunk's vector as made by `model`, replacing what was stored for that chunk (of any model, project or
 * dimension). Every entry is checked before anything is written.
 */
export async function storeVectors(em: EntityManager, model: string, entries: readonly VectorEntry[]): Promise<void> {
  checkModel(model);
  for (const entry of entries) checkVector(entry.vector);
  if (entries.length === 0) return;
  await inCallersTransaction(em, (tx) =>
    dialectOf(tx) === 'sqlite' ? storeOnSqlite(tx, model, entries) : storeOnPostgresql(tx, model, entries),
  );
}
