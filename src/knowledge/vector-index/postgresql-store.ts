import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { removeOnPostgresql } from './postgresql-remove.js';
import { restamp } from './postgresql-stamps.js';
import { placeholders } from './sql-lists.js';
import type { VectorEntry } from './types.js';
import { vectorBytes } from './vectors.js';

const ROWS_PER_INSERT = 200;

/**
 * A chunk stored before is deleted first, which restamps the project it was in (it may be another), then inserted
 * with the rest, and their projects are restamped.
 */
export async function storeOnPostgresql(
  em: EntityManager,
  model: string,
  entries: readonly VectorEntry[],
): Promise<void> {
  // Of a chunk given twice, the last entry is stored.
  const latest = [...new Map(entries.map((entry) => [entry.chunk_id, entry])).values()];
  await removeOnPostgresql(em, { chunk_ids: latest.map((entry) => entry.chunk_id) });
  for (let start = 0; start < latest.length; start += ROWS_PER_INSERT) {
    const rows = latest.slice(start, start + ROWS_PER_INSERT);
    // On a conflict, another transaction stored the same chunk meanwhile: the last one's vector is kept.
    await runSql(
      em,
      `insert into knowledge_vectors (chunk_id, project_id, document_id, model, dimensions, vector, text_hash)
       values ${placeholders(rows.length, '(?, ?, ?, ?, ?, ?, ?)')}
       on conflict (chunk_id) do update set project_id = excluded.project_id, document_id = excluded.document_id,
         model = excluded.model, dimensions = excluded.dimensions, vector = excluded.vector,
         text_hash = excluded.text_hash`,
      rows.flatMap((entry) => [
        entry.chunk_id,
        entry.project_id,
        entry.document_id,
        model,
        entry.vector.length,
        vectorBytes(entry.vector),
        entry.text_hash ?? null,
      ]),
    );
  }
  await restamp(
    em,
    latest.map((entry) => entry.project_id),
  );
}
