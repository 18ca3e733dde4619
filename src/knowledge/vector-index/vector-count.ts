import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { runSql } from '../../db/run-sql.js';

/** How many chunks of the project have a vector, of any model. */
export async function vectorCount(em: EntityManager, projectId: string): Promise<number> {
  const table = dialectOf(em) === 'sqlite' ? 'knowledge_vector_chunks' : 'knowledge_vectors';
  const [row] = await runSql<{ count: number | string }>(
    em,
    `select count(*) as count from ${table} where project_id = ?`,
    [projectId],
  );
  return Number(row?.count ?? 0);
}
