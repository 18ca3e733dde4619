import { listEvents } from '../../queries/event.queries.js';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { eventListQuery, EventPage } from '../schemas/event.schemas.js';
import type { SchemaLimits } from '../schemas/schema-limits.js';
import { ok } from './responses.js';

export const eventRoutes = (limits: SchemaLimits): RouteSpec[] => [
  defineRoute({
    method: 'get',
    path: '/api/events',
    operationId: 'listEvents',
    summary: 'Read the event log in order, to replay it elsewhere',
    tags: ['Event log'],
    query: eventListQuery(limits),
    responses: { 200: ok(EventPage, 'Events after the given position') },
    async handle(ctx, { query }) {
      answer(ctx, 200, await listEvents(ctx.state.em, { after: query.after ?? 0, limit: query.limit ?? 100 }));
    },
  }),
];
