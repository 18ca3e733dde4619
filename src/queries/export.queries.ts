import type { EntityManager } from '@mikro-orm/knex';
import type { ConversationRow } from '../../projections/conversation.entity.js';
import type { MessageRow } from '../../projections/message.entity.js';
import { runSql } from '../db/run-sql.js';
import { toConversationResponse, type ConversationResponse } from './conversation.queries.js';
import { withParsedJson } from './raw-rows.js';

/** Every message of a conversation, every branch, in creation order, every column. */
export async function allMessagesOf(em: EntityManager, conversationId: string): Promise<MessageRow[]> {
  const rows = await runSql<MessageRow>(em, 'select * from messages where conversation_id = ? order by seq', [
    conversationId,
  ]);
  return rows.map(withParsedJson);
}

/** The conversations of a project that are not deleted, oldest first. */
export async function liveConversationsOf(em: EntityManager, projectId: string): Promise<ConversationResponse[]> {
  const rows = await runSql<ConversationRow>(
    em,
    'select * from conversations where project_id = ? and deleted_at is null order by created_at, id',
    [projectId],
  );
  return rows.map((row) => toConversationResponse(withParsedJson(row)));
}

/** The branch root -> `messageId`, root first; empty when the message is not in this conversation. */
export async function branchTo(em: EntityManager, conversationId: string, messageId: string): Promise<MessageRow[]> {
  const rows = await runSql<MessageRow>(
    em,
    `with recursive branch (id, parent_message_id) as (
       select id, parent_message_id from messages where id = ? and conversation_id = ?
       union all
       select m.id, m.parent_message_id from messages m join branch on m.id = branch.parent_message_id
       where m.conversation_id = ?
     )
     select m.* from branch join messages m on m.id = branch.id order by m.depth`,
    [messageId, conversationId, conversationId],
  );
  return rows.map(withParsedJson);
}

const IDS_PER_QUERY = 500;

/** The conversations with these ids, in the order of the ids; soft-deleted ones too. */
export async function conversationsById(em: EntityManager, ids: readonly string[]): Promise<ConversationResponse[]> {
  const found = new Map<string, ConversationResponse>();
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    const chunk = ids.slice(start, start + IDS_PER_QUERY);
    const rows = await runSql<ConversationRow>(
      em,
      `select * from conversations where id in (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const row of rows) found.set(row.id, toConversationResponse(withParsedJson(row)));
  }
  return ids.flatMap((id) => found.get(id) ?? []);
}
