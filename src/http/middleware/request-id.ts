import type { Middleware } from 'koa';
import type { AppState } from '../app-state.js';

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes the caller's X-Request-Id when it is safe to log, else makes one; logs each request once. */
export const requestId: Middleware<AppState> = async (ctx, next) => {
  const given = ctx.get('X-Request-Id');
  const id = acceptable.test(given) ? given : ctx.state.services.newId();
  ctx.state.requestId = id;
  ctx.state.log = ctx.state.services.logger.child({ request_id: id });
  ctx.set('X-Request-Id', id);
  // Which worker or instance answered: behind a load balancer, the first thing an operator asks.
  ctx.set('X-Instance-Id', ctx.state.services.link.instanceId);
  const started = performance.now();
  try {
    await next();
  } finally {
    ctx.state.log.info(
      { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  }
};
