import { usageStats } from '../../queries/usage.queries.js';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { UsageQuery, UsageReport } from '../schemas/usage.schemas.js';
import { timeRange } from '../time-range.js';
import { ok } from './responses.js';

export const statsRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/api/stats/usage',
    operationId: 'usageStats',
    summary: 'Answers, tokens, speed and reactions, per day or per model',
    description:
      'Counts the answers of the conversations the API shows: those deleted, or in a deleted project, are left ' +
      'out until restored, and purged ones are gone. A conversation counts in the project it is in now (a move ' +
      'takes its answers along), and a reaction as it is now.',
    tags: ['Statistics'],
    query: UsageQuery,
    responses: { 200: ok(UsageReport, 'The figures per day or model, and for the whole range') },
    async handle(ctx, { query }) {
      const { project_id, group_by = 'day' } = query;
      const range = timeRange(query.from, query.to);
      const stats = await usageStats(ctx.state.em, { group_by, project_id, ...range });
      answer(ctx, 200, { group_by, project_id: project_id ?? null, ...range, ...stats });
    },
  }),
];
