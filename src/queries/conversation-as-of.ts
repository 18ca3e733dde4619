import type { EntityManager } from '@mikro-orm/knex';
import { projectInMemory } from '../../projections/memory-writes.js';
import type { MessageRow } from '../../projections/message.entity.js';
import { resourceProjectors } from '../../projections/projectors.js';
import { streamAsOf, type AsOf } from './as-of.js';
import { toConversationResponse, type ConversationResponse } from './conversation.queries.js';

export type ConversationAsOf = {
  conversation: ConversationResponse;
  version: number;
  /** Soft-deleted itself, or in a project that was: what the API hides without include_deleted. */
  hidden: boolean;
  /** Its message rows as they were, every branch. */
  messages: MessageRow[];
};

/**
 * The conversation as the read models showed it at `asOf`: its events up to then (and its project's, for whether
 * that was deleted) run through the projectors into memory. Null when it did not exist yet, or was purged.
 */
export async function conversationAsOf(em: EntityManager, id: string, asOf: AsOf): Promise<ConversationAsOf | null> {
  const events = await streamAsOf(em, id, asOf);
  if (events.some((event) => event.stream_type !== 'conversation')) return null;
  const rows = await projectInMemory(resourceProjectors, events);
  const row = rows.row('conversations', id);
  if (!row) return null;
  const projectDeleted = row.project_id ? await projectDeletedAsOf(em, row.project_id, asOf) : false;
  return {
    conversation: toConversationResponse(row),
    version: row.version,
    hidden: row.deleted_at !== null || projectDeleted,
    messages: rows.rows('messages'),
  };
}

async function projectDeletedAsOf(em: EntityManager, id: string, asOf: AsOf): Promise<boolean> {
  const events = await streamAsOf(em, id, asOf);
  if (events.some((event) => event.stream_type !== 'project')) return false;
  const rows = await projectInMemory(resourceProjectors, events);
  const deletedAt = rows.row('projects', id)?.deleted_at;
  return deletedAt !== undefined && deletedAt !== null;
}
