import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import { listedColumns, type MessageListRow } from './message-columns.js';

/**
 * `count` messages of the branch root -> `leafId`, from depth `from` on (the root's is 0), root first. Walks up from
 * the leaf by anchors (message-tree.ts) to the first message at or below the page's last depth, then by parents
 * through the page: about depth / 64 + 64 + count rows read, where a walk to the root would read every one.
 */
export async function pathPage(
  em: EntityManager,
  conversationId: string,
  leafId: string,
  from: number,
  count: number,
  includeReasoning: boolean,
): Promise<MessageListRow[]> {
  const last = from + count - 1;
  return runSql<MessageListRow>(
    em,
    `with recursive
     jump (id, depth, anchor_id) as (
       select id, depth, anchor_id from messages where id = ? and conversation_id = ?
       union all
       select a.id, a.depth, a.anchor_id from jump join messages a on a.id = jump.anchor_id where a.depth >= ?
     ),
     walk (id, parent_message_id, depth) as (
       select id, parent_message_id, depth from messages
       where id = (select id from jump order by depth limit 1)
       union all
       select p.id, p.parent_message_id, p.depth from walk join messages p on p.id = walk.parent_message_id
       where walk.depth > ?
     )
     select ${listedColumns('m', includeReasoning)} from walk join messages m on m.id = walk.id
     where walk.depth between ? and ? order by walk.depth`,
    [leafId, conversationId, last, from, from, last],
  );
}

/** `thought`: the answer has reasoning, so its token_count (all it generated) is more than its text. */
export type PathTurn = { id: string; role: string; content: string; token_count: number | null; thought: number };

/** What a prompt is made of: each message from the root down to `leafId` (its ancestors by parent), in one query. */
export async function pathTurns(em: EntityManager, conversationId: string, leafId: string): Promise<PathTurn[]> {
  return runSql<PathTurn>(
    em,
    `with recursive path (id, parent_message_id) as (
       select id, parent_message_id from messages where id = ? and conversation_id = ?
       union all
       select m.id, m.parent_message_id from messages m join path on m.id = path.parent_message_id
       where m.conversation_id = ?
     )
     select m.id, m.role, m.content, m.token_count, case when m.reasoning is null then 0 else 1 end as thought
     from path join messages m on m.id = path.id order by m.depth`,
    [leafId, conversationId, conversationId],
  );
}
