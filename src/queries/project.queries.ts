import { raw } from '@mikro-orm/core';
import { knowledgeCounts } from './document.queries.js';
import type { EntityManager } from '@mikro-orm/knex';
import { ConversationView } from '../../projections/conversation.entity.js';
import { MessageView } from '../../projections/message.entity.js';
import { ProjectView, type ProjectRow } from '../../projections/project.entity.js';
import { decodeCursor, toPage, type Page } from './cursor.js';

export type ProjectResponse = Omit<ProjectRow, 'version'> & {
  conversation_count: number;
  message_count: number;
  last_activity_at: string;
};

type Activity = { conversation_count: number; message_count: number; last_activity_at: string | null };

export async function findProject(
  em: EntityManager,
  id: string,
  includeDeleted = false,
): Promise<{ project: ProjectResponse; version: number } | null> {
  const row = await em.findOne(
    ProjectView,
    { id, ...(includeDeleted ? {} : { deleted_at: null }) },
    { disableIdentityMap: true },
  );
  if (!row) return null;
  const activity = await activityOf(em, [id]);
  return { project: toResponse(row, activity.get(id)), version: row.version };
}

export async function listProjects(
  em: EntityManager,
  query: { limit: number; cursor?: string; include_deleted: boolean },
): Promise<Page<ProjectResponse>> {
  const qb = em.createQueryBuilder(ProjectView, 'p');
  if (!query.include_deleted) qb.where({ deleted_at: null });
  if (query.cursor) {
    const [createdAt, id] = decodeCursor<[string, string]>(query.cursor, ['string', 'string']);
    qb.andWhere('(p.created_at < ? or (p.created_at = ? and p.id < ?))', [createdAt, createdAt, id]);
  }
  const rows = await qb
    .orderBy({ created_at: 'desc', id: 'desc' })
    .limit(query.limit + 1)
    .getResult();
  const activity = await activityOf(
    em,
    rows.slice(0, query.limit).map((r) => r.id),
  );
  return toPage(
    rows,
    query.limit,
    (row) => toResponse(row, activity.get(row.id)),
    (row) => [row.created_at, row.id],
  );
}

export type ProjectStats = {
  conversation_count: number;
  message_count: number;
  last_activity_at: string;
  total_tokens: number;
  reactions: { thumbs_up: number; thumbs_down: number };
  document_count: number;
  chunk_count: number;
};

export async function projectStats(em: EntityManager, id: string): Promise<ProjectStats | null> {
  const found = await findProject(em, id);
  if (!found) return null;
  const [row] = await em
    .createQueryBuilder(MessageView, 'm')
    .select([
      raw('coalesce(sum(m.token_count), 0) as total_tokens'),
      raw("coalesce(sum(case when m.reaction = 'thumbs_up' then 1 else 0 end), 0) as thumbs_up"),
      raw("coalesce(sum(case when m.reaction = 'thumbs_down' then 1 else 0 end), 0) as thumbs_down"),
    ])
    .where(
      'exists (select 1 from conversations c where c.id = m.conversation_id and c.project_id = ? and c.deleted_at is null)',
      [id],
    )
    .execute<{ total_tokens: number | string; thumbs_up: number | string; thumbs_down: number | string }[]>(
      'all',
      false,
    );
  const { conversation_count, message_count, last_activity_at } = found.project;
  return {
    conversation_count,
    message_count,
    last_activity_at,
    total_tokens: Number(row?.total_tokens ?? 0),
    reactions: { thumbs_up: Number(row?.thumbs_up ?? 0), thumbs_down: Number(row?.thumbs_down ?? 0) },
    ...(await knowledgeCounts(em, id)),
  };
}

/** Counts over the live conversations of each project, in one grouped query. */
async function activityOf(em: EntityManager, ids: string[]): Promise<Map<string, Activity>> {
  if (ids.length === 0) return new Map();
  const rows = await em
    .createQueryBuilder(ConversationView, 'c')
    .select([
      'c.project_id as project_id',
      raw('count(*) as conversation_count'),
      raw('coalesce(sum(c.message_count), 0) as message_count'),
      raw('max(c.activity_at) as last_activity_at'),
    ])
    .where({ project_id: { $in: ids }, deleted_at: null })
    .groupBy('c.project_id')
    .execute<
      {
        project_id: string;
        conversation_count: number | string;
        message_count: number | string;
        last_activity_at: string | null;
      }[]
    >('all', false);
  return new Map(
    rows.map((r) => [
      r.project_id,
      {
        conversation_count: Number(r.conversation_count),
        message_count: Number(r.message_count),
        last_activity_at: r.last_activity_at,
      },
    ]),
  );
}

function toResponse(row: ProjectRow, activity: Activity | undefined): ProjectResponse {
  const { version: _version, ...fields } = row;
  const lastConversation = activity?.last_activity_at ?? null;
  return {
    id: fields.id,
    name: fields.name,
    description: fields.description ?? null,
    metadata: fields.metadata,
    settings: fields.settings,
    created_at: fields.created_at,
    updated_at: fields.updated_at,
    deleted_at: fields.deleted_at ?? null,
    conversation_count: activity?.conversation_count ?? 0,
    message_count: activity?.message_count ?? 0,
    last_activity_at: lastConversation && lastConversation > row.updated_at ? lastConversation : row.updated_at,
  };
}
