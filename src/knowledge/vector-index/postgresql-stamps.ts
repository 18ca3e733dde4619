import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { placeholders } from './sql-lists.js';

/**
 * Gives each project a new stamp (postgresql-0013-vectors.ts) in the transaction that changes its vectors, so the
 * new stamp and the new rows are seen together. In name order, two writers of several projects cannot deadlock on
 * the stamp rows.
 */
export async function restamp(em: EntityManager, projectIds: Iterable<string>): Promise<void> {
  const projects = [...new Set(projectIds)].sort();
  if (projects.length === 0) return;
  await runSql(
    em,
    `insert into knowledge_vector_versions (project_id, stamp)
     values ${placeholders(projects.length, "(?, nextval('knowledge_vector_stamps'))")}
     on conflict (project_id) do update set stamp = excluded.stamp`,
    projects,
  );
}

/** The project's stamp as the caller's transaction sees it; undefined when no vector of it was ever stored. */
export async function stampOf(em: EntityManager, projectId: string): Promise<string | undefined> {
  const [row] = await runSql<{ stamp: string }>(
    em,
    'select stamp from knowledge_vector_versions where project_id = ?',
    [projectId],
  );
  return row === undefined ? undefined : String(row.stamp);
}
