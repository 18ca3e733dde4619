import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../db/dialect.js';
import { runSql } from '../db/run-sql.js';
import { fts5Match } from '../search/fts5-match.js';
import type { SearchQuery } from '../search/search-query.js';
import { snippet } from '../search/snippet.js';
import { tsquerySql } from '../search/tsquery-sql.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
import { pathPage } from './message-path.js';
import { projectNotDeleted } from './visibility.js';

export type SearchHit = {
  conversation_id: string;
  conversation_title: string | null;
  project_id: string | null;
  /** null: the conversation's title matched. */
  message_id: string | null;
  role: string | null;
  snippet: string;
  /** Whether the message is on the branch root -> the conversation's current leaf; null for a title. */
  on_current_branch: boolean | null;
  created_at: string;
};

export type SearchFilters = { project_id?: string; conversation_id?: string; limit: number; cursor?: string };

type HitRow = {
  id: string;
  message_id: string | null;
  conversation_id: string;
  score: number;
  body: string;
  role: string | null;
  title: string | null;
  project_id: string | null;
  current_leaf_id: string | null;
  created_at: string;
  depth: number | null;
};

/** How each database finds the documents matching a query, and scores them: the lower, the better. */
type Matches = { from: string; where: string; score: string; params: string[] };

const sqliteMatches = (query: SearchQuery): Matches => ({
  from: 'search_fts join search_documents d on d.seq = search_fts.rowid',
  where: 'search_fts match ?',
  score: 'bm25(search_fts)',
  params: [fts5Match(query)],
});

/** Normalisation 1 divides by the log of the document's length, which bm25 takes into account too. */
const postgresqlMatches = (query: SearchQuery): Matches => {
  const tsquery = tsquerySql(query);
  return {
    from: `search_documents d cross join (select ${tsquery.sql} as query) q`,
    where: 'd.words @@ q.query',
    score: '-(ts_rank(d.words, q.query, 1)::float8)',
    params: tsquery.params,
  };
};

/**
 * The visible messages and titles matching `query`, best first; pages are cut by score and id. Scores depend on
 * what else the index holds (bm25 weighs words by how rare they are), so a page asked for after the index changed
 * may repeat or skip a hit.
 */
export async function searchDocuments(
  em: EntityManager,
  query: SearchQuery,
  filters: SearchFilters,
): Promise<Page<SearchHit>> {
  const matches = dialectOf(em) === 'postgresql' ? postgresqlMatches(query) : sqliteMatches(query);
  const params: (string | number)[] = [...matches.params];
  let visible = `c.deleted_at is null and ${projectNotDeleted}`;
  if (filters.project_id) {
    visible += ' and c.project_id = ?';
    params.push(filters.project_id);
  }
  if (filters.conversation_id) {
    visible += ' and d.conversation_id = ?';
    params.push(filters.conversation_id);
  }
  let after = '';
  if (filters.cursor) {
    const [score, id] = decodeCursor<[number, string]>(filters.cursor, ['number', 'string']);
    after = 'where h.score > ? or (h.score = ? and h.id > ?)';
    params.push(score, score, id);
  }
  params.push(filters.limit + 1);
  const rows = await runSql<HitRow>(
    em,
    `select p.id, p.message_id, p.conversation_id, p.score, d.body, d.role, c.title, c.project_id,
       c.current_leaf_id, coalesce(m.created_at, c.created_at) as created_at, m.depth
     from (
       select h.* from (
         select d.id, d.message_id, d.conversation_id, ${matches.score} as score
         from ${matches.from} join conversations c on c.id = d.conversation_id
         where ${matches.where} and ${visible}
       ) h ${after}
       order by h.score, h.id limit ?
     ) p
     join search_documents d on d.id = p.id
     join conversations c on c.id = p.conversation_id
     left join messages m on m.id = p.message_id
     order by p.score, p.id`,
    params,
  );
  const items = rows.slice(0, filters.limit);
  const last = items.at(-1);
  const hits: SearchHit[] = [];
  for (const row of items) hits.push(await toHit(em, row, query));
  return {
    items: hits,
    next_cursor: rows.length > filters.limit && last ? encodeCursor([Number(last.score), last.id]) : null,
  };
}

async function toHit(em: EntityManager, row: HitRow, query: SearchQuery): Promise<SearchHit> {
  return {
    conversation_id: row.conversation_id,
    conversation_title: row.title,
    project_id: row.project_id,
    message_id: row.message_id,
    role: row.role,
    snippet: snippet(row.body, query),
    on_current_branch: row.message_id === null ? null : await onCurrentBranch(em, row),
    created_at: row.created_at,
  };
}

/** The message is on the current branch when the branch's message at its depth is that message. */
async function onCurrentBranch(em: EntityManager, row: HitRow): Promise<boolean> {
  if (row.current_leaf_id === null || row.depth === null) return false;
  const [atDepth] = await pathPage(em, row.conversation_id, row.current_leaf_id, Number(row.depth), 1, false);
  return atDepth?.id === row.message_id;
}
