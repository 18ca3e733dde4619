import type { EntityManager } from '@mikro-orm/knex';
import { MessageView, type MessageRow } from '../../projections/message.entity.js';
import { runSql } from '../db/run-sql.js';
import { withParsedMetadata } from './raw-rows.js';
import { decodeCursor, encodeCursor, toPage, type Page } from './cursor.js';
import { messagesInOrder, pathIds } from './message-path.js';
import { projectNotDeleted } from './visibility.js';

export type MessageResponse = Omit<MessageRow, 'seq' | 'updated_at'>;

const conversationVisible = `exists (select 1 from conversations c where c.id = m.conversation_id and c.deleted_at is null and ${projectNotDeleted})`;

export async function findMessage(em: EntityManager, id: string): Promise<MessageResponse | null> {
  // Plain SQL with a constant text: it runs after every reaction and before every regeneration.
  const [row] = await runSql<MessageRow>(em, `select m.* from messages m where m.id = ? and ${conversationVisible}`, [
    id,
  ]);
  return row ? toMessageResponse(withParsedMetadata(row)) : null;
}

/** Every message of the conversation in creation order, all branches included. */
export async function listMessages(
  em: EntityManager,
  conversationId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<MessageResponse>> {
  const after = query.cursor ? decodeCursor<[number]>(query.cursor, ['number'])[0] : 0;
  const rows = await em.find(
    MessageView,
    { conversation_id: conversationId, seq: { $gt: after } },
    { orderBy: { seq: 'asc' }, limit: query.limit + 1, disableIdentityMap: true },
  );
  return toPage(rows, query.limit, toMessageResponse, (row) => [row.seq]);
}

/** The messages of one branch, root first, paged like the full listing. */
export async function listPath(
  em: EntityManager,
  conversationId: string,
  leafId: string | null,
  query: { limit: number; cursor?: string },
): Promise<Page<MessageResponse>> {
  const ids = leafId ? await pathIds(em, conversationId, leafId) : [];
  const from = query.cursor ? decodeCursor<[number]>(query.cursor, ['number'])[0] : 0;
  const page = ids.slice(from, from + query.limit + 1);
  const rows = await messagesInOrder(em, page);
  const items = rows.slice(0, query.limit).map(toMessageResponse);
  return { items, next_cursor: page.length > query.limit ? encodeCursor([from + query.limit]) : null };
}

export function toMessageResponse(row: MessageRow): MessageResponse {
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
  };
}
