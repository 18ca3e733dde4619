import { Type } from 'typebox';
import { AsOfParam } from '../as-of-param.js';
import {
  metadataInput,
  Cursor,
  IncludeDeleted,
  Limit,
  Metadata,
  NullableTimestamp,
  nullable,
  Timestamp,
  Uuid,
} from './common.schemas.js';
import type { SchemaLimits } from './schema-limits.js';
import { Settings, settingsInputSchemas } from './settings.schemas.js';

/** What a request may send, within the configured limits. */
export function conversationInputSchemas(limits: SchemaLimits) {
  const Title = nullable(
    Type.String({
      minLength: 1,
      maxLength: limits.maxTitleLength,
      description: `1 to ${limits.maxTitleLength} characters (MAX_TITLE_LENGTH)`,
    }),
  );
  const { SettingsInput, SettingsPatch } = settingsInputSchemas(limits);
  const ConversationCreateBody = Type.Object(
    {
      id: Type.Optional(
        Type.String({
          ...Uuid,
          description: 'Optional client-made id; a retry with the same id and body is answered 200',
        }),
      ),
      project_id: Type.Optional(nullable(Uuid)),
      title: Type.Optional(Title),
      metadata: Type.Optional(metadataInput('Free-form JSON object')),
      settings: Type.Optional(SettingsInput),
    },
    { additionalProperties: false },
  );

  const ConversationPatchBody = Type.Object(
    {
      title: Type.Optional(Title),
      project_id: Type.Optional(
        nullable(Type.String({ ...Uuid, description: 'Moves the conversation; null takes it out of any project' })),
      ),
      metadata: Type.Optional(metadataInput('Replaces the whole metadata object')),
      settings: Type.Optional(SettingsPatch),
      current_leaf_id: Type.Optional(
        Type.String({ ...Uuid, description: 'Shows this branch: the next question replies to this message' }),
      ),
    },
    { additionalProperties: false },
  );

  const ConversationListQuery = Type.Object(
    {
      project_id: Type.Optional(Uuid),
      q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Title contains, case-insensitive' })),
      limit: Type.Optional(Limit(limits.maxPageSize, 50, 'MAX_PAGE_SIZE')),
      cursor: Type.Optional(Cursor),
      include_deleted: Type.Optional(IncludeDeleted),
    },
    { additionalProperties: false },
  );
  return { ConversationCreateBody, ConversationPatchBody, ConversationListQuery };
}

export const Conversation = Type.Object(
  {
    id: Uuid,
    project_id: nullable(Uuid),
    title: nullable(Type.String()),
    metadata: Metadata,
    settings: Settings,
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: NullableTimestamp,
    last_message_at: NullableTimestamp,
    message_count: Type.Integer(),
    current_leaf_id: nullable(Type.String({ description: 'The end of the branch shown; new questions reply to it' })),
  },
  { additionalProperties: false, title: 'Conversation' },
);

/** GET /api/conversations/{id}: the conversation, with what it is doing now. */
export const ConversationDetail = Type.Object(
  {
    ...Conversation.properties,
    generating: nullable(
      Type.Object(
        {
          session_id: nullable(Uuid),
          message_id: Uuid,
          started_at: Timestamp,
        },
        {
          additionalProperties: false,
          description:
            'The answer being generated now (on any worker or instance), null when none: a page that reloaded ' +
            'resumes it at GET /api/chat/stream/{session_id}',
        },
      ),
    ),
    context: nullable(
      Type.Object(
        {
          message_id: Uuid,
          used: Type.Integer({ description: "Prompt plus answer tokens of the branch's last answer" }),
          n_ctx: nullable(Type.Integer({ description: "The model's context per slot when it answered" })),
        },
        {
          additionalProperties: false,
          description: "How full the model's context was at the last answer of the branch shown (used / n_ctx)",
        },
      ),
    ),
  },
  { additionalProperties: false, title: 'ConversationDetail' },
);

export const ConversationGetQuery = Type.Object(
  { include_deleted: Type.Optional(IncludeDeleted), as_of: Type.Optional(AsOfParam) },
  { additionalProperties: false },
);
