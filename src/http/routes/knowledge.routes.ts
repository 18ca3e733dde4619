import { projectStatus } from '../../commands/project-status.js';
import { answer } from '../command-context.js';
import { notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams } from '../schemas/common.schemas.js';
import { KnowledgeQueryBody, KnowledgeQueryResult } from '../schemas/knowledge.schemas.js';
import { missing, ok } from './responses.js';

export const knowledgeRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/api/projects/:id/knowledge/query',
    operationId: 'queryKnowledge',
    summary: "Rank a project's chunks for a question, with every score: what a chat would cite, and why",
    description:
      'The retrieval a chat runs: the best RETRIEVAL_CANDIDATES chunks by vector similarity (when an embedding ' +
      'server is set) and by full-text rank, fused by reciprocal rank, reranked when RERANK_API_URL is set, and ' +
      'the best `top_k` that fit RETRIEVAL_MAX_TOKENS. Deleted documents are left out.',
    tags: ['Documents'],
    params: IdParams,
    body: KnowledgeQueryBody,
    responses: { 200: ok(KnowledgeQueryResult, 'The ranked chunks'), 404: missing('project') },
    async handle(ctx, { params, body }) {
      if ((await projectStatus(ctx.state.em, params.id)) !== 'active') {
        throw notFoundProblem(`Project ${params.id} not found`);
      }
      const retrieval = await ctx.state.services.knowledge.retrieve(ctx.state.em, {
        project_id: params.id,
        question: body.q,
        ...(body.top_k === undefined ? {} : { topK: body.top_k }),
      });
      answer(ctx, 200, retrieval);
    },
  }),
];
