import { databaseReadiness } from '../../queries/database-readiness.js';
import { databaseStatus } from '../../queries/database-status.js';
import { answer } from '../command-context.js';
import { HttpProblem, RETRY_AFTER_SECONDS } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { Health, Liveness, Readiness } from '../schemas/health.schemas.js';
import { ok, retryLater } from './responses.js';

const notReady = (kind: string, detail: string) =>
  new HttpProblem(503, kind, detail, undefined, { 'Retry-After': RETRY_AFTER_SECONDS });

export const healthRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Database and llama.cpp status',
    description:
      'llama.cpp being down or loading a model degrades the service; the database being down, or on SQLite ' +
      'refusing writes (locked by another process for over a second, or read-only), makes it unhealthy.',
    tags: ['Health'],
    responses: {
      200: ok(Health, 'healthy, or degraded when llama.cpp is unreachable or loading'),
      503: ok(Health, 'unhealthy: the database is unreachable, or (SQLite) locked by another process or read-only'),
    },
    async handle(ctx) {
      const [database, llm_service, embedding_service] = await Promise.all([
        databaseStatus(ctx.state.em),
        ctx.state.services.llmHealth(),
        ctx.state.services.knowledge.health(),
      ]);
      if (database !== 'connected') {
        return answer(ctx, 503, { status: 'unhealthy', database, llm_service, embedding_service });
      }
      answer(ctx, 200, {
        status: llm_service === 'connected' ? 'healthy' : 'degraded',
        database: 'connected',
        llm_service,
        embedding_service,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/health/live',
    operationId: 'healthLive',
    summary: 'Liveness: the process answers',
    description: "For an orchestrator's liveness probe: asks neither the database nor llama.cpp.",
    tags: ['Health'],
    responses: { 200: ok(Liveness, 'the process answers') },
    async handle(ctx) {
      answer(ctx, 200, { status: 'live' });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/health/ready',
    operationId: 'healthReady',
    summary: 'Readiness: the database is reachable, its migrations applied, and the server is not shutting down',
    description:
      "For an orchestrator's readiness probe or a load balancer. llama.cpp is not asked: chats refuse on their own " +
      'while it is down, and every other route still works.',
    tags: ['Health'],
    responses: {
      200: ok(Readiness, 'ready to serve'),
      503: retryLater(
        'not ready, the problem type naming why: shutting-down (draining for a stop), database-unavailable ' +
          '(unreachable) or migrations-pending (the database lacks migrations this version needs)',
      ),
    },
    async handle(ctx) {
      if (ctx.state.services.drain.draining) {
        throw notReady('shutting-down', 'The server is shutting down: it finishes the answers it is serving');
      }
      const database = await databaseReadiness(ctx.state.em);
      if (!database.ready && database.reason === 'unreachable') {
        throw notReady('database-unavailable', 'The database is unreachable');
      }
      if (!database.ready) {
        throw notReady('migrations-pending', `The database lacks migrations: ${database.pending.join(', ')}`);
      }
      answer(ctx, 200, { status: 'ready' });
    },
  }),
];
