import type { EntityManager } from '@mikro-orm/knex';
import { ConversationView, type ConversationRow } from '../../projections/conversation.entity.js';
import { runSql } from '../db/run-sql.js';
import { withParsedJson } from './raw-rows.js';
import { decodeCursor, toPage, type Page } from './cursor.js';
import { projectNotDeleted } from './visibility.js';

export type ConversationResponse = Omit<ConversationRow, 'version' | 'activity_at'>;

export async function findConversation(
  em: EntityManager,
  id: string,
  includeDeleted = false,
): Promise<{ conversation: ConversationResponse; version: number } | null> {
  // Plain SQL, one text per variant: it runs after every conversation command, and stays prepared.
  const visible = includeDeleted ? '' : ` and c.deleted_at is null and ${projectNotDeleted}`;
  const [found] = await runSql<ConversationRow>(em, `select c.* from conversations c where c.id = ?${visible}`, [id]);
  if (!found) return null;
  const row = withParsedJson(found);
  return { conversation: toConversationResponse(row), version: row.version };
}

export async function listConversations(
  em: EntityManager,
  query: { limit: number; cursor?: string; project_id?: string; q?: string; include_deleted: boolean },
): Promise<Page<ConversationResponse>> {
  const qb = em.createQueryBuilder(ConversationView, 'c');
  if (!query.include_deleted) qb.where({ deleted_at: null }).andWhere(projectNotDeleted);
  if (query.project_id) qb.andWhere({ project_id: query.project_id });
  if (query.q) qb.andWhere(`lower(c.title) like ? escape '\\'`, [`%${escapeLike(query.q.toLowerCase())}%`]);
  if (query.cursor) {
    const [activityAt, id] = decodeCursor<[string, string]>(query.cursor, ['string', 'string']);
    qb.andWhere('(c.activity_at < ? or (c.activity_at = ? and c.id < ?))', [activityAt, activityAt, id]);
  }
  const rows = await qb
    .orderBy({ activity_at: 'desc', id: 'desc' })
    .limit(query.limit + 1)
    .getResult();
  return toPage(rows, query.limit, toConversationResponse, (row) => [row.activity_at, row.id]);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function toConversationResponse(row: ConversationRow): ConversationResponse {
  return {
    id: row.id,
    project_id: row.project_id ?? null,
    title: row.title ?? null,
    metadata: row.metadata,
    settings: row.settings,
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at ?? null,
    last_message_at: row.last_message_at ?? null,
    message_count: row.message_count,
    current_leaf_id: row.current_leaf_id ?? null,
  };
}

/** Every conversation of a project, soft-deleted ones too. */
export async function conversationIdsOf(em: EntityManager, projectId: string): Promise<string[]> {
  const rows = await runSql<{ id: string }>(em, 'select id from conversations where project_id = ? order by id', [
    projectId,
  ]);
  return rows.map((row) => row.id);
}
