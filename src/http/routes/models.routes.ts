import { LlmError } from '../../llm/llm-error.js';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ModelsResponse } from '../schemas/models.schemas.js';
import { ok } from './responses.js';

export const modelRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/api/models',
    operationId: 'listModels',
    summary: 'The models llama.cpp serves, with their context, size, capabilities and status',
    description:
      "Asked of llama.cpp (its /v1/models and /props; in router mode each loaded model's /props too) at each " +
      'request. A server started with -m serves one model; a router (llama-server --models-dir) lists every model ' +
      'it knows. 200 in every case: `state` says whether llama.cpp answered.',
    tags: ['Models'],
    responses: { 200: ok(ModelsResponse, 'What llama.cpp serves now') },
    async handle(ctx) {
      try {
        const served = await ctx.state.services.llm.models();
        answer(ctx, 200, { state: 'ready', ...served, error: null });
      } catch (error) {
        if (!(error instanceof LlmError)) throw error;
        const state = error.type === 'llm_unavailable' && error.status === 503 ? 'loading' : 'unreachable';
        answer(ctx, 200, { state, router: false, autoload: null, models: [], error: error.message });
      }
    },
  }),
];
