import { settledHead } from '../../event-store/read-committed.js';
import { eventMatcher } from '../../queries/event-filter.js';
import { parseEventTypes } from '../event-types-param.js';
import { streamLog } from '../feed/stream-log.js';
import { HttpProblem, RETRY_AFTER_SECONDS } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { LoggedEvent } from '../schemas/event.schemas.js';
import { EventStreamQuery } from '../schemas/event-stream.schemas.js';
import { lastEventId, lastEventIdHeader } from '../sse/last-event-id.js';
import { retryLater } from './responses.js';

export const eventStreamRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/api/events/stream',
    operationId: 'streamEvents',
    summary: 'Follow the event log live (Server-Sent Events): catch up from a position, then every event as it commits',
    description:
      'Each SSE message is one event of the log, `id:` its position and `data:` the event as `GET /api/events` ' +
      'lists it (no `event:` field: every message is a `message` to an EventSource). With a `Last-Event-ID` header ' +
      '(an EventSource sends it when it reconnects) or `?after=`, the events after that position come first, then ' +
      'the stream goes on live, with no event missed or repeated in between. It follows the log itself, so it sees ' +
      'what every worker and instance on the database commits. A `: ping` comment comes after EVENTS_HEARTBEAT_MS ' +
      "(15 s) without an event. It counts as one of the client address's SSE_MAX_PER_CLIENT streams, and ends " +
      'when the server shuts down (reconnect). Filters combine: `project_id`, `conversation_id`, `types`.',
    tags: ['Event log'],
    query: EventStreamQuery,
    requestHeaders: lastEventIdHeader('a log position; the events after it come first. It wins over `after`'),
    responses: {
      200: {
        description: 'The stream: one message per event, `id:` its log position, `data:` the event',
        schema: LoggedEvent,
        contentType: 'text/event-stream',
      },
      422: {
        description:
          'Invalid query (an unknown event type in `types`, a malformed id or position) or a Last-Event-ID that is ' +
          'not a log position',
      },
      429: retryLater('This client address has SSE_MAX_PER_CLIENT streams open; retry after Retry-After seconds'),
      503: retryLater(
        'The server is shutting down, or the database is unavailable; retry after Retry-After seconds (elsewhere)',
      ),
    },
    async handle(ctx, { query }) {
      const types = query.types === undefined ? undefined : parseEventTypes(query.types);
      // The end of the log before the answer's headers: whatever is committed once the client has them is sent.
      const after = lastEventId(ctx) ?? query.after ?? (await settledHead(ctx.state.em));
      if (ctx.state.services.drain.draining) throw shuttingDown();
      const matches = eventMatcher(ctx.state.em, {
        projectId: query.project_id,
        conversationId: query.conversation_id,
        types,
      });
      await streamLog(ctx, after, matches);
    },
  }),
];

const shuttingDown = () =>
  new HttpProblem(503, 'shutting-down', 'The server is shutting down; reconnect once it is back', undefined, {
    'Retry-After': RETRY_AFTER_SECONDS,
  });
