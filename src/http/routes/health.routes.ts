import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { sqliteWritability } from '../../db/sqlite-writable.js';
import { answer } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { Health } from '../schemas/health.schemas.js';
import { ok } from './responses.js';

/** How long /health tries to take SQLite's write lock before it calls the database locked. */
const WRITE_LOCK_PATIENCE_MS = 1000;

type DatabaseStatus = 'connected' | 'disconnected' | 'locked' | 'read_only';

/** Pooled connections the database dropped that the pool may not have noticed yet, each failing one query. */
const STALE_CONNECTION_TRIES = 3;

/** `select 1` on a connection that works: a pooled one the server dropped is not the database being down. */
async function reachable(em: EntityManager): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await em.getConnection().execute('select 1');
      return;
    } catch (error) {
      if (attempt >= STALE_CONNECTION_TRIES) throw error;
    }
  }
}

/** Reachable and writable; on SQLite a reader may pass while every write fails, so a write is tried too. */
async function databaseStatus(em: EntityManager): Promise<DatabaseStatus> {
  try {
    await reachable(em);
    if (dialectOf(em) !== 'sqlite') return 'connected';
    const writability = await sqliteWritability(em, WRITE_LOCK_PATIENCE_MS);
    return writability === 'writable' ? 'connected' : writability;
  } catch {
    return 'disconnected';
  }
}

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
      const [database, llm_service] = await Promise.all([databaseStatus(ctx.state.em), ctx.state.services.llmHealth()]);
      if (database !== 'connected') return answer(ctx, 503, { status: 'unhealthy', database, llm_service });
      answer(ctx, 200, {
        status: llm_service === 'connected' ? 'healthy' : 'degraded',
        database: 'connected',
        llm_service,
      });
    },
  }),
];
