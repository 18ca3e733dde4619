import { Type } from 'typebox';
import { AsOfParam } from '../as-of-param.js';
import type { SchemaLimits } from './schema-limits.js';
import { AnswerSourceSchema } from './chat.schemas.js';
import { Cursor, Limit, Metadata, nullable, Timestamp, Uuid } from './common.schemas.js';

export const Reaction = nullable(
  Type.Union([Type.Literal('thumbs_up'), Type.Literal('thumbs_down')], {
    description: 'thumbs_up, thumbs_down or null',
  }),
);

const CitedSource = Type.Object(
  {
    ...AnswerSourceSchema.properties,
    document_deleted: Type.Boolean({
      description: 'Whether its document was deleted or purged since: the name and snippet stay as they were cited',
    }),
  },
  { additionalProperties: false, title: 'CitedSource' },
);

export const Message = Type.Object(
  {
    id: Uuid,
    conversation_id: Uuid,
    role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
    content: Type.String(),
    status: Type.Union([
      Type.Literal('streaming'),
      Type.Literal('complete'),
      Type.Literal('cancelled'),
      Type.Literal('failed'),
    ]),
    finish_reason: nullable(Type.Union([Type.Literal('stop'), Type.Literal('length'), Type.Literal('cancelled')])),
    reaction: Reaction,
    parent_message_id: nullable(Uuid),
    token_count: nullable(Type.Integer()),
    model_name: nullable(Type.String()),
    completion_time_ms: nullable(Type.Integer()),
    metadata: Metadata,
    created_at: Timestamp,
    has_reasoning: Type.Boolean({ description: 'Whether the model thought before it answered (reasoning is kept)' }),
    reasoning_ms: nullable(
      Type.Number({ description: 'From the first reasoning token to the first answer token (metadata.timings)' }),
    ),
    reasoning: Type.Optional(
      nullable(
        Type.String({
          description:
            "The model's reasoning, apart from the answer; null when it did not think. Always in GET " +
            '/api/messages/{id}; in pages only with include_reasoning=true',
        }),
      ),
    ),
    sources: Type.Optional(
      Type.Array(CitedSource, {
        description:
          "The passages of the project's documents the answer was given and cites as [1], [2]; [] when none. In GET " +
          '/api/messages/{id}; pages have them in `metadata.sources`',
      }),
    ),
  },
  { additionalProperties: false, title: 'Message' },
);

/** Within the configured page size. */
export const messageListQuery = (limits: SchemaLimits) =>
  Type.Object(
    {
      limit: Type.Optional(Limit(limits.maxMessagesPageSize, 100, 'MAX_MESSAGES_PAGE_SIZE')),
      cursor: Type.Optional(Cursor),
      path: Type.Optional(
        Type.Literal('current', { description: "Only the branch root -> the conversation's current leaf" }),
      ),
      leaf: Type.Optional(Type.String({ ...Uuid, description: 'Only the branch root -> this message' })),
      as_of: Type.Optional(AsOfParam),
      include_reasoning: Type.Optional(
        Type.Boolean({ default: false, description: "Include each message's reasoning text (it can be long)" }),
      ),
    },
    { additionalProperties: false },
  );

export const ReactionBody = Type.Object({ reaction: Reaction }, { additionalProperties: false });
