import { Type, type Static } from 'typebox';
import { Metadata, metadataObject, nullable, Timestamp, Uuid } from '../http/schemas/common.schemas.js';
import { Settings } from '../http/schemas/settings.schemas.js';

/** What an export names itself, so an import recognises it; the version changes when its shape does. */
export const EXPORT_FORMAT = 'gpt-oss-assistant-export';
export const EXPORT_VERSION = 1;

/** The longest model name the messages read model stores. */
export const MODEL_NAME_MAX_LENGTH = 255;

const Count = nullable(Type.Integer({ minimum: 0, maximum: 2_147_483_647 }));

export const ExportedMessage = Type.Object(
  {
    id: Uuid,
    parent_message_id: nullable(
      Type.String({ ...Uuid, description: 'The message it answers, listed before it; null for a root' }),
    ),
    role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
    content: Type.String(),
    reasoning: Type.Optional(
      nullable(
        Type.String({ description: "The model's reasoning before its answer; null or absent: none (older exports)" }),
      ),
    ),
    status: Type.Union(
      [Type.Literal('streaming'), Type.Literal('complete'), Type.Literal('cancelled'), Type.Literal('failed')],
      { description: 'An answer exported while it streamed is imported failed (interrupted), with its text so far' },
    ),
    finish_reason: nullable(Type.Union([Type.Literal('stop'), Type.Literal('length'), Type.Literal('cancelled')])),
    reaction: nullable(Type.Union([Type.Literal('thumbs_up'), Type.Literal('thumbs_down')])),
    token_count: Count,
    model_name: nullable(Type.String({ maxLength: MODEL_NAME_MAX_LENGTH })),
    completion_time_ms: Count,
    metadata: metadataObject(
      "Free-form JSON object; an answer's llama.cpp timings are in `timings`, a failure's cause in `error_type`",
    ),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, title: 'ExportedMessage' },
);

export const ExportedConversation = Type.Object(
  {
    id: Uuid,
    title: nullable(Type.String({ minLength: 1, description: 'An import holds it to MAX_TITLE_LENGTH' })),
    project_id: nullable(Uuid),
    metadata: Metadata,
    settings: Type.Optional({
      ...Settings,
      description: 'Its generation settings; none in files exported before them',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
    current_leaf_id: nullable(
      Type.String({ ...Uuid, description: 'The end of the branch shown; null only when there are no messages' }),
    ),
    messages: Type.Array(ExportedMessage, { description: 'Every message of every branch, in creation order' }),
  },
  { additionalProperties: false, title: 'ExportedConversation' },
);

export const ExportedProject = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: nullable(Type.String()),
    metadata: Metadata,
    settings: Type.Optional({
      ...Settings,
      description: 'Its generation settings; none in files exported before them',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false, title: 'ExportedProject' },
);

export const ExportDocument = Type.Object(
  {
    format: Type.Literal(EXPORT_FORMAT),
    version: Type.Literal(EXPORT_VERSION),
    exported_at: Timestamp,
    project: Type.Union([ExportedProject, Type.Null()], {
      description: 'The project exported; null for a conversation export. An import does not recreate it',
    }),
    conversations: Type.Array(ExportedConversation),
  },
  {
    additionalProperties: false,
    title: 'ConversationExport',
    description: `An export of this API (format "${EXPORT_FORMAT}", version ${EXPORT_VERSION}): conversations with every message of every branch`,
  },
);

export type ExportDocument = Static<typeof ExportDocument>;
export type ExportedConversation = Static<typeof ExportedConversation>;
export type ExportedMessage = Static<typeof ExportedMessage>;
export type ExportedProject = Static<typeof ExportedProject>;
