import { Type } from 'typebox';
import { nullable, Uuid } from './common.schemas.js';
import { ChatOptionsSchema } from './settings.schemas.js';

export const ChatStreamBody = Type.Object(
  {
    conversation_id: Uuid,
    message: Type.String({ minLength: 1, description: 'The question, 1 to MAX_MESSAGE_LENGTH characters' }),
    parent_message_id: Type.Optional(
      nullable(Type.String({ ...Uuid, description: "Answer this message instead of the conversation's current leaf" })),
    ),
    options: Type.Optional(ChatOptionsSchema),
  },
  { additionalProperties: false },
);

export const RegenerateBody = Type.Object(
  { options: Type.Optional(ChatOptionsSchema) },
  { additionalProperties: false },
);

export const StopBody = Type.Union(
  [
    Type.Object({ session_id: Uuid }, { additionalProperties: false }),
    Type.Object({ message_id: Uuid }, { additionalProperties: false }),
  ],
  { description: 'The session, or the assistant message being generated' },
);

export const StopResult = Type.Object(
  { stopped: Type.Boolean({ description: 'false when nothing was running' }) },
  { additionalProperties: false, title: 'StopResult' },
);

export const ResumeQuery = Type.Object(
  {
    last_event_id: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,9}$', description: 'For clients that cannot send the Last-Event-ID header' }),
    ),
  },
  { additionalProperties: false },
);

export const SessionParams = Type.Object({ session_id: Uuid }, { additionalProperties: false });

export const AnswerSourceSchema = Type.Object(
  {
    n: Type.Integer({ minimum: 1, description: 'The number the answer cites it by' }),
    document_id: Uuid,
    document_name: Type.String(),
    chunk_id: Type.String(),
    pages: Type.Array(Type.Integer()),
    heading: Type.Array(Type.String()),
    score: Type.Number({ description: "The reranker's score, else the fused rank's" }),
    snippet: Type.String(),
  },
  { additionalProperties: false, title: 'AnswerSource' },
);

export const SourceRetrievalSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('hybrid'), Type.Literal('full_text')]),
    reason: Type.Optional(Type.Union([Type.Literal('embedding_disabled'), Type.Literal('embedding_failed')])),
    error: Type.Optional(Type.String()),
    reranked: Type.Boolean(),
  },
  { additionalProperties: false, title: 'SourceRetrieval', description: 'How the sources were found' },
);

const event = (name: string, description: string, properties: Parameters<typeof Type.Object>[0]) =>
  Type.Object({ type: Type.Literal(name), ...properties }, { title: `${name} event`, description });

/** Each SSE message: `id:` its number in the session, `event:` its type, `data:` one of these as JSON. */
export const ChatEventSchema = Type.Union(
  [
    event('start', 'First event: the ids of the question and of the answer', {
      session_id: Uuid,
      conversation_id: Uuid,
      user_message_id: nullable(Uuid),
      message_id: Uuid,
    }),
    event('queued', 'Every llama.cpp slot is busy: waiting at this place in the queue', {
      session_id: Uuid,
      position: Type.Integer({ minimum: 1 }),
    }),
    event(
      'sources',
      "The passages of the project's documents the answer is given, numbered as it cites them ([1], [2]); sent " +
        'after start and before the first token, only when the project has documents that answer',
      {
        message_id: Uuid,
        sources: Type.Array(AnswerSourceSchema),
        retrieval: SourceRetrievalSchema,
      },
    ),
    event('token', 'A piece of the answer, sent the moment llama.cpp produced it', {
      token: Type.String(),
      message_id: Uuid,
      session_id: Uuid,
    }),
    event(
      'reasoning',
      "A piece of the model's thinking (gpt-oss's analysis channel), sent the moment llama.cpp produced it; " +
        "reasoning comes before the answer's tokens and is stored apart from the answer",
      { token: Type.String(), message_id: Uuid, session_id: Uuid },
    ),
    event('complete', 'Last event of a finished answer, sent once it is stored', {
      message_id: Uuid,
      token_count: nullable(Type.Integer()),
      completion_time_ms: Type.Integer(),
      finish_reason: Type.Union([Type.Literal('stop'), Type.Literal('length')]),
      cut_while_reasoning: Type.Boolean({
        description: 'finish_reason is length and the answer never began: the whole budget went to reasoning',
      }),
    }),
    event('error', 'Last event of a failed or cancelled answer; its partial text and reasoning are stored', {
      error: Type.String(),
      error_type: Type.Union(
        ['llm_unavailable', 'llm_error', 'context_overflow', 'timeout', 'cancelled', 'internal'].map((t) =>
          Type.Literal(t),
        ),
      ),
    }),
  ],
  {
    title: 'ChatEvent',
    description:
      'text/event-stream: each message has `id:` (sequence number), `event:` (the type) and `data:` (this JSON). ' +
      'A `: ping` comment comes every 15 s of silence.',
  },
);
