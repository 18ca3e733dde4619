import type { EntityManager } from '@mikro-orm/knex';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { Health } from '../schemas/health.schemas.js';
import { ok } from './responses.js';

async function databaseReachable(em: EntityManager): Promise<boolean> {
  try {
    await em.getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}

export const healthRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Database and llama.cpp status',
    description:
      'llama.cpp being down or loading a model degrades the service; the database being down makes it unhealthy.',
    tags: ['Health'],
    responses: {
      200: ok(Health, 'healthy, or degraded when llama.cpp is unreachable or loading'),
      503: ok(Health, 'unhealthy: the database is unreachable'),
    },
    async handle(ctx) {
      const [database, llm_service] = await Promise.all([
        databaseReachable(ctx.state.em),
        ctx.state.services.llmHealth(),
      ]);
      if (!database) return answer(ctx, 503, { status: 'unhealthy', database: 'disconnected', llm_service });
      answer(ctx, 200, {
        status: llm_service === 'connected' ? 'healthy' : 'degraded',
        database: 'connected',
        llm_service,
      });
    },
  }),
];
