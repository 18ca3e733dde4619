import type { EntityManager } from '@mikro-orm/knex';
import { MessageView, type MessageRow } from '../../projections/message.entity.js';

/** Ids from the root of the conversation down to `leafId`, following parent_message_id. */
export async function pathIds(em: EntityManager, conversationId: string, leafId: string): Promise<string[]> {
  const rows: { id: string }[] = await em.getConnection().execute(
    `with recursive path (id, parent_message_id, depth) as (
       select id, parent_message_id, 0 from messages where id = ? and conversation_id = ?
       union all
       select m.id, m.parent_message_id, path.depth + 1
       from messages m join path on m.id = path.parent_message_id
       where m.conversation_id = ?
     )
     select id from path order by depth desc`,
    [leafId, conversationId, conversationId],
  );
  return rows.map((row) => row.id);
}

/** The messages of a branch, root first. */
export async function pathMessages(em: EntityManager, conversationId: string, leafId: string): Promise<MessageRow[]> {
  const ids = await pathIds(em, conversationId, leafId);
  return messagesInOrder(em, ids);
}

export async function messagesInOrder(em: EntityManager, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  const rows = await em.find(MessageView, { id: { $in: ids } }, { disableIdentityMap: true });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
