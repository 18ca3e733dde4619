import type { Middleware } from 'koa';
import type { AppState } from '../app-state.js';

/** During a shutdown's drain a kept-alive connection is closed after its answer, not kept for the next request. */
export const closeWhenDraining: Middleware<AppState> = async (ctx, next) => {
  if (ctx.state.services.drain.draining) ctx.set('Connection', 'close');
  await next();
};
