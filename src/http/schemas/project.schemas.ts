import { Type } from 'typebox';
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
export function projectInputSchemas(limits: SchemaLimits) {
  const Name = Type.String({
    minLength: 1,
    maxLength: limits.maxNameLength,
    pattern: '\\S',
    description: `1 to ${limits.maxNameLength} characters (MAX_NAME_LENGTH), not only spaces`,
  });
  const { SettingsInput, SettingsPatch } = settingsInputSchemas(limits);
  const Description = nullable(
    Type.String({
      maxLength: limits.maxDescriptionLength,
      description: `At most ${limits.maxDescriptionLength} characters (MAX_DESCRIPTION_LENGTH)`,
    }),
  );
  const ProjectCreateBody = Type.Object(
    {
      id: Type.Optional(
        Type.String({
          ...Uuid,
          description: 'Optional client-made id; a retry with the same id and body is answered 200',
        }),
      ),
      name: Name,
      description: Type.Optional(Description),
      metadata: Type.Optional(metadataInput('Free-form JSON object')),
      settings: Type.Optional(SettingsInput),
    },
    { additionalProperties: false },
  );
  const ProjectPatchBody = Type.Object(
    {
      name: Type.Optional(Name),
      description: Type.Optional(Description),
      metadata: Type.Optional(metadataInput('Replaces the whole metadata object')),
      settings: Type.Optional(SettingsPatch),
    },
    { additionalProperties: false },
  );
  const ProjectListQuery = Type.Object(
    {
      limit: Type.Optional(Limit(limits.maxPageSize, 50, 'MAX_PAGE_SIZE')),
      cursor: Type.Optional(Cursor),
      include_deleted: Type.Optional(IncludeDeleted),
    },
    { additionalProperties: false },
  );
  return { ProjectCreateBody, ProjectPatchBody, ProjectListQuery };
}

export const Project = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: nullable(Type.String()),
    metadata: Metadata,
    settings: Settings,
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: NullableTimestamp,
    conversation_count: Type.Integer({ description: 'Live conversations in the project' }),
    message_count: Type.Integer({ description: 'Messages in its live conversations' }),
    last_activity_at: Timestamp,
  },
  { additionalProperties: false, title: 'Project' },
);

export const ProjectGetQuery = Type.Object(
  { include_deleted: Type.Optional(IncludeDeleted) },
  { additionalProperties: false },
);

export const ProjectStats = Type.Object(
  {
    conversation_count: Type.Integer(),
    message_count: Type.Integer(),
    last_activity_at: Timestamp,
    total_tokens: Type.Integer({ description: 'Sum of token_count over its messages' }),
    reactions: Type.Object({ thumbs_up: Type.Integer(), thumbs_down: Type.Integer() }, { additionalProperties: false }),
    document_count: Type.Integer({ description: 'Documents not deleted' }),
    chunk_count: Type.Integer({ description: 'Their chunks' }),
  },
  { additionalProperties: false, title: 'ProjectStats' },
);
