import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { runSql } from '../../db/run-sql.js';
import { WORD } from '../../search/search-query.js';

/** Words of a question that full text looks for, at most this many (the longest first: they say the most). */
const MAX_WORDS = 32;

export type Ranked = { chunk_id: string; score: number };

/** The question's distinct words, lower-cased: any of them may match (ranked by BM25), unlike a search's all. */
export function questionWords(question: string): string[] {
  const words = [...new Set((question.toLowerCase().match(WORD) ?? []).filter((w) => w.length > 1))];
  return words.sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, MAX_WORDS);
}

/**
 * The best `k` chunks of a project's live, readable documents by full-text rank: FTS5's BM25 on SQLite, ts_rank_cd
 * on PostgreSQL (higher is better in both as returned here).
 */
export async function fullTextCandidates(
  em: EntityManager,
  projectId: string,
  question: string,
  k: number,
): Promise<Ranked[]> {
  const words = questionWords(question);
  if (words.length === 0) return [];
  const live = `d.project_id = ? and d.deleted_at is null and d.failure is null`;
  if (dialectOf(em) === 'sqlite') {
    const match = words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' OR ');
    const rows = await runSql<{ id: string; rank: number }>(
      em,
      `select c.id, bm25(knowledge_fts) as rank from knowledge_fts
       join knowledge_chunks c on c.seq = knowledge_fts.rowid join documents d on d.id = c.document_id
       where knowledge_fts match ? and c.project_id = ? and ${live}
       order by rank, c.id limit ?`,
      [match, projectId, projectId, k],
    );
    return rows.map((row) => ({ chunk_id: row.id, score: -Number(row.rank) }));
  }
  const rows = await runSql<{ id: string; rank: number }>(
    em,
    `select c.id, ts_rank_cd(c.words, q.query) as rank
     from knowledge_chunks c join documents d on d.id = c.document_id,
     (select to_tsquery('simple', ?) as query) q
     where c.words @@ q.query and c.project_id = ? and ${live}
     order by rank desc, c.id limit ?`,
    [words.join(' | '), projectId, projectId, k],
  );
  return rows.map((row) => ({ chunk_id: row.id, score: Number(row.rank) }));
}
