import type { EntityManager } from '@mikro-orm/knex';
import type { MessageRow } from '../../projections/message.entity.js';
import { runSql } from '../db/run-sql.js';
import { withParsedJson } from './raw-rows.js';
import { decodeCursor, encodeCursor, toPage, type Page } from './cursor.js';
import { pathPage } from './message-path.js';
import { projectNotDeleted } from './visibility.js';
import { listedColumns, type MessageListRow } from './message-columns.js';
import { citedSources, type CitedSource } from './cited-sources.js';

/** Page options of a message listing. */
export type MessagePageQuery = { limit: number; cursor?: string; include_reasoning?: boolean };

/**
 * The tree's bookkeeping (`depth`, `anchor_id`) stays inside: the API gives the tree by parent_message_id. The
 * reasoning is there when asked for (one message, or a page with include_reasoning); its presence always.
 */
export type MessageResponse = Omit<MessageRow, 'seq' | 'updated_at' | 'depth' | 'anchor_id' | 'reasoning'> & {
  has_reasoning: boolean;
  reasoning_ms: number | null;
  reasoning?: string | null;
  /** In GET /api/messages/:id only: the sources the answer cites (pages keep them in `metadata.sources`). */
  sources?: CitedSource[];
};

const conversationVisible = `exists (select 1 from conversations c where c.id = m.conversation_id and c.deleted_at is null and ${projectNotDeleted})`;

export async function findMessage(em: EntityManager, id: string): Promise<MessageResponse | null> {
  // Plain SQL with a constant text: it runs after every reaction and before every regeneration.
  const [row] = await runSql<MessageRow>(em, `select m.* from messages m where m.id = ? and ${conversationVisible}`, [
    id,
  ]);
  if (!row) return null;
  const message = toMessageResponse(withParsedJson(row), true);
  return { ...message, sources: await citedSources(em, message.metadata) };
}

/** Every message of the conversation in creation order, all branches included. */
export async function listMessages(
  em: EntityManager,
  conversationId: string,
  query: MessagePageQuery,
): Promise<Page<MessageResponse>> {
  const after = query.cursor ? decodeCursor<[number]>(query.cursor, ['number'])[0] : 0;
  const reasoning = query.include_reasoning ?? false;
  // Plain SQL: a long conversation is opened page by page, and the ORM's hydration of each row costs more.
  const rows = await runSql<MessageListRow>(
    em,
    `select ${listedColumns('m', reasoning)} from messages m where m.conversation_id = ? and m.seq > ? order by m.seq limit ?`,
    [conversationId, after, query.limit + 1],
  );
  return toPage(
    rows.map(withParsedJson),
    query.limit,
    (row) => toMessageResponse(row, reasoning),
    (row) => [row.seq],
  );
}

/** The messages of one branch, root first, paged like the full listing. */
export async function listPath(
  em: EntityManager,
  conversationId: string,
  leafId: string | null,
  query: MessagePageQuery,
): Promise<Page<MessageResponse>> {
  if (!leafId) return { items: [], next_cursor: null };
  const from = query.cursor ? decodeCursor<[number]>(query.cursor, ['number'])[0] : 0;
  const reasoning = query.include_reasoning ?? false;
  const rows = await pathPage(em, conversationId, leafId, from, query.limit + 1, reasoning);
  const items = rows.slice(0, query.limit).map((row) => toMessageResponse(withParsedJson(row), reasoning));
  return { items, next_cursor: rows.length > query.limit ? encodeCursor([from + query.limit]) : null };
}

/** The API's view of a row; `includeReasoning` adds the reasoning's text (the row must hold it then). */
export function toMessageResponse(row: MessageListRow, includeReasoning: boolean): MessageResponse {
  const timings = row.metadata.timings;
  const reasoningMs =
    typeof timings === 'object' && timings !== null && !Array.isArray(timings) ? timings.reasoning_ms : undefined;
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    role: row.role,
    content: row.content,
    status: row.status,
    finish_reason: row.finish_reason ?? null,
    reaction: row.reaction ?? null,
    parent_message_id: row.parent_message_id ?? null,
    token_count: row.token_count ?? null,
    model_name: row.model_name ?? null,
    completion_time_ms: row.completion_time_ms ?? null,
    metadata: row.metadata,
    created_at: row.created_at,
    has_reasoning: row.has_reasoning === undefined ? row.reasoning != null : Number(row.has_reasoning) === 1,
    reasoning_ms: typeof reasoningMs === 'number' ? reasoningMs : null,
    ...(includeReasoning ? { reasoning: row.reasoning ?? null } : {}),
  };
}
