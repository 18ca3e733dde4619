import { findMessage } from '../../queries/message.queries.js';
import { STOP_WAIT_MS } from '../../chat/serve-remote-chat.js';
import { untilDone } from '../../chat/until-done.js';
import { answerOverSse } from '../chat/answer.js';
import { streamSession } from '../chat/stream-session.js';
import { notFoundProblem } from '../problem.js';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import {
  ChatEventSchema,
  ChatStreamBody,
  RegenerateBody,
  ResumeQuery,
  SessionParams,
  StopBody,
  StopResult,
} from '../schemas/chat.schemas.js';
import { IdParams } from '../schemas/common.schemas.js';
import { lastEventId, lastEventIdHeader } from '../sse/last-event-id.js';
import { missing, ok, retryLater } from './responses.js';

const tags = ['Chat'];

const tooMany = retryLater(
  'Every slot is busy and the queue is full, or this client address has SSE_MAX_PER_CLIENT streams open; ' +
    'retry after Retry-After seconds',
);

const stream = (description: string) => ({ description, schema: ChatEventSchema, contentType: 'text/event-stream' });

export const chatRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/api/chat/stream',
    operationId: 'streamChat',
    summary: 'Ask a question and receive the answer token by token (Server-Sent Events)',
    description:
      'The question is stored before llama.cpp is called. The answer replies to `parent_message_id`, or by default ' +
      "to the conversation's current leaf. Errors found before the stream starts are ordinary problem answers; " +
      'after it started they arrive as an `error` event. When every llama.cpp slot is busy the chat waits in a queue ' +
      '(a `queued` event); when the queue is full it is refused with 429.',
    tags,
    body: ChatStreamBody,
    responses: {
      200: stream('The answer as a stream of events: start, queued?, reasoning..., token..., then complete or error'),
      404: missing('conversation'),
      409: { description: 'This conversation already has an answer being generated' },
      422: {
        description:
          'Invalid body, a message longer than MAX_MESSAGE_LENGTH, an unknown parent message, or a model (named by ' +
          'the options or the settings) that llama.cpp does not serve',
      },
      429: tooMany,
      503: retryLater(
        'llama.cpp is unreachable or loading (the question is stored, the answer marked failed), the database is ' +
          'unavailable, or the server is shutting down (nothing is stored); retry after Retry-After seconds',
      ),
    },
    async handle(ctx, { body }) {
      const { services } = ctx.state;
      const [session_id, user_message_id, message_id] = [services.newId(), services.newId(), services.newId()];
      const { conversation_id } = body;
      await answerOverSse(ctx, {
        conversation_id,
        session_id,
        message_id,
        question_id: user_message_id,
        user_message_id,
        start: {
          type: 'AskQuestion',
          data: {
            conversation_id,
            user_message_id,
            assistant_message_id: message_id,
            ...(body.parent_message_id !== undefined ? { parent_message_id: body.parent_message_id } : {}),
            content: body.message,
            metadata: {},
            assistant_metadata: { session_id, options: body.options ?? {} },
            max_content_length: services.config.maxMessageLength,
            options: body.options ?? {},
          },
        },
      });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/messages/:id/regenerate',
    operationId: 'regenerateMessage',
    summary: 'Answer the same question again, streamed like /api/chat/stream; the old answer stays as a sibling',
    tags,
    params: IdParams,
    body: RegenerateBody,
    responses: {
      200: stream('The new answer as a stream of events'),
      404: missing('message'),
      409: { description: 'This conversation already has an answer being generated' },
      422: { description: 'Invalid body, the message is not an answer, or a model llama.cpp does not serve' },
      429: tooMany,
      503: retryLater(
        'llama.cpp is unreachable or loading, the database is unavailable, or the server is shutting down; retry ' +
          'after Retry-After seconds',
      ),
    },
    async handle(ctx, { params, body }) {
      const previous = await findMessage(ctx.state.em, params.id);
      // Which conversation's stream decides it; its decider refuses a message that is no answer.
      if (!previous) throw notFoundProblem(`Message ${params.id} not found`);
      const { services } = ctx.state;
      const [session_id, message_id] = [services.newId(), services.newId()];
      const { conversation_id } = previous;
      await answerOverSse(ctx, {
        conversation_id,
        session_id,
        message_id,
        // A message without a question is no answer: the decider refuses it before anything reads this.
        question_id: previous.parent_message_id ?? '',
        user_message_id: null,
        start: {
          type: 'RegenerateResponse',
          data: {
            conversation_id,
            message_id: params.id,
            new_message_id: message_id,
            assistant_metadata: { session_id, regenerated_from: params.id, options: body.options ?? {} },
            options: body.options ?? {},
          },
        },
      });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/chat/stop',
    operationId: 'stopChat',
    summary: 'Stop an answer being generated; its partial text is kept, marked cancelled',
    description: 'Safe to repeat: `stopped` is false when nothing was running.',
    tags,
    body: StopBody,
    responses: { 200: ok(StopResult, 'Whether an answer was stopped') },
    async handle(ctx, { body }) {
      const { chat, remoteChat } = ctx.state.services;
      const reason = 'stopped by the user';
      const session = 'session_id' in body ? chat.get(body.session_id) : chat.byMessage(body.message_id);
      if (!session) return answer(ctx, 200, { stopped: await remoteChat.stop(body, reason) });
      if (session.done) return answer(ctx, 200, { stopped: false });
      session.abort.abort(new Error(reason));
      await untilDone(session, STOP_WAIT_MS);
      answer(ctx, 200, { stopped: true });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/chat/stream/:session_id',
    operationId: 'resumeChatStream',
    summary: 'Resume a chat stream after a reload: replays the events after Last-Event-ID, then follows live',
    description:
      'Send the id of the last event received as the `Last-Event-ID` header (or `?last_event_id=`). After the ' +
      'answer ended it replays up to the final `complete` or `error` event and closes.',
    tags,
    params: SessionParams,
    query: ResumeQuery,
    requestHeaders: lastEventIdHeader(
      'the events after it are replayed. `?last_event_id=` does the same; the header wins over it',
    ),
    responses: {
      200: stream('The rest of the stream'),
      404: missing('chat session'),
      422: { description: 'Invalid `?last_event_id=`, or a Last-Event-ID header that is not an event id' },
      429: { description: 'This client address has SSE_MAX_PER_CLIENT streams open; retry after Retry-After seconds' },
    },
    async handle(ctx, { params, query }) {
      const { chat, remoteChat } = ctx.state.services;
      const after = lastEventId(ctx) ?? Number(query.last_event_id ?? 0);
      const session = chat.get(params.session_id) ?? (await remoteChat.watch(params.session_id, after));
      if (!session) throw notFoundProblem(`Chat session ${params.session_id} not found`);
      await streamSession(ctx, session, after);
    },
  }),
];
