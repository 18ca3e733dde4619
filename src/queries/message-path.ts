import type { EntityManager } from '@mikro-orm/knex';
import { MessageView, type MessageRow } from '../../projections/message.entity.js';
import { runSql } from '../db/run-sql.js';

/** The branch from the root of the conversation down to a message, following parent_message_id, deepest last. */
const BRANCH = `with recursive path (id, parent_message_id, depth) as (
       select id, parent_message_id, 0 from messages where id = ? and conversation_id = ?
       union all
       select m.id, m.parent_message_id, path.depth + 1
       from messages m join path on m.id = path.parent_message_id
       where m.conversation_id = ?
     )`;

/** Ids from the root of the conversation down to `leafId`. */
export async function pathIds(em: EntityManager, conversationId: string, leafId: string): Promise<string[]> {
  const rows = await runSql<{ id: string }>(em, `${BRANCH} select id from path order by depth desc`, [
    leafId,
    conversationId,
    conversationId,
  ]);
  return rows.map((row) => row.id);
}

export type PathTurn = { id: string; role: string; content: string; token_count: number | null };

/** What a prompt is made of: each message from the root down to `leafId`, in one query. */
export async function pathTurns(em: EntityManager, conversationId: string, leafId: string): Promise<PathTurn[]> {
  return runSql<PathTurn>(
    em,
    `${BRANCH} select m.id, m.role, m.content, m.token_count from path join messages m on m.id = path.id order by path.depth desc`,
    [leafId, conversationId, conversationId],
  );
}

export async function messagesInOrder(em: EntityManager, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  const rows = await em.find(MessageView, { id: { $in: ids } }, { disableIdentityMap: true });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
