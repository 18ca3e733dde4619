import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';

/**
 * The project conversation `id` was in at log position `position` (null: none), read from its own log: the last
 * ConversationCreated, ConversationImported or ConversationMoved at or before it. Undefined when its log tells nothing (a purged
 * conversation keeps only its tombstone).
 */
export async function conversationProjectAt(
  em: EntityManager,
  id: string,
  position: number,
): Promise<string | null | undefined> {
  const [row] = await runSql<{ type: string; data: unknown }>(
    em,
    `select type, data from events where stream_id = ? and position <= ?
     and type in ('ConversationCreated', 'ConversationImported', 'ConversationMoved') order by stream_version desc limit 1`,
    [id, position],
  );
  if (!row) return undefined;
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<string, string | null>;
  return (row.type === 'ConversationMoved' ? data.to_project_id : data.project_id) ?? null;
}
