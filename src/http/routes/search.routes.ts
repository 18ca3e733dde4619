import { searchDocuments } from '../../queries/search.queries.js';
import { parseSearch, SearchSyntaxError } from '../../search/search-query.js';
import { answer } from '../command-context.js';
import { HttpProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { Page } from '../schemas/common.schemas.js';
import { SearchHit, searchListQuery } from '../schemas/search.schemas.js';
import type { SchemaLimits } from '../schemas/schema-limits.js';
import { ok } from './responses.js';

export const searchRoutes = (limits: SchemaLimits): RouteSpec[] => [
  defineRoute({
    method: 'get',
    path: '/api/search',
    operationId: 'search',
    summary: 'Full-text search over messages and conversation titles, best match first',
    description:
      'Finds messages (questions, and answers once they ended, failed and stopped ones with their partial text) ' +
      'and titles of the conversations the API shows: not of deleted ones, nor in deleted projects. Each hit ' +
      'carries a snippet with the matches marked, HTML-escaped; pages are cut with next_cursor like every list.',
    tags: ['Search'],
    query: searchListQuery(limits),
    responses: { 200: ok(Page(SearchHit, 'SearchHitPage'), 'A page of hits, best first') },
    async handle(ctx, { query }) {
      const { q, limit = 20, ...filters } = query;
      answer(ctx, 200, await searchDocuments(ctx.state.em, parsed(q), { ...filters, limit }));
    },
  }),
];

function parsed(q: string) {
  try {
    return parseSearch(q);
  } catch (error) {
    if (!(error instanceof SearchSyntaxError)) throw error;
    throw new HttpProblem(422, 'validation', `query/q: ${error.message}`, [
      { path: 'query/q', message: error.message },
    ]);
  }
}
