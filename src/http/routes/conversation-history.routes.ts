import { conversationHistory } from '../../queries/conversation-history.js';
import { answer } from '../command-context.js';
import { parseEventTypes } from '../event-types-param.js';
import { notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams } from '../schemas/common.schemas.js';
import { EventPage } from '../schemas/event.schemas.js';
import { historyQuery } from '../schemas/history.schemas.js';
import type { SchemaLimits } from '../schemas/schema-limits.js';
import { ok } from './responses.js';

export const conversationHistoryRoutes = (limits: SchemaLimits): RouteSpec[] => [
  defineRoute({
    method: 'get',
    path: '/api/conversations/:id/history',
    operationId: 'getConversationHistory',
    summary: "A conversation's events in order: its audit trail (asked, answered, regenerated, renamed, moved...)",
    description:
      'Every event of the conversation as `GET /api/events` shows it, paged the same way: pass `next_after` back ' +
      'as `after`; an empty page is the end. The streaming checkpoints of answers (`AssistantResponseProgressed`) ' +
      'are listed too, as the log holds them; `types` picks some types only (e.g. leave them out by naming the ' +
      'others). A soft-deleted conversation has its history (its deletion is in it); a purged one is 404.',
    tags: ['Conversations'],
    params: IdParams,
    query: historyQuery(limits),
    responses: {
      200: ok(EventPage, "A page of the conversation's events"),
      404: { description: 'No such conversation, or it was purged' },
    },
    async handle(ctx, { params, query }) {
      const page = await conversationHistory(ctx.state.em, params.id, {
        after: query.after ?? 0,
        limit: query.limit ?? 100,
        types: query.types === undefined ? undefined : parseEventTypes(query.types),
      });
      if (!page) throw notFoundProblem(`Conversation ${params.id} not found`);
      answer(ctx, 200, page);
    },
  }),
];
