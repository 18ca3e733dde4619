import type { Middleware } from 'koa';
import type { AppState } from '../app-state.js';
import { HttpProblem, toProblem } from '../problem.js';

/** Turns every error, and any route that answered nothing, into application/problem+json. */
export const problemResponses: Middleware<AppState> = async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      throw new HttpProblem(404, 'not-found', `No route for ${ctx.method} ${ctx.path}`);
    }
  } catch (error) {
    const answer = toProblem(error, {
      ifMatchSent: ctx.get('If-Match') !== '',
      debug: ctx.state.services.config.debug,
    });
    if (answer.status >= 500) ctx.state.log.error({ err: error }, 'request failed');
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = { ...answer.body, request_id: ctx.state.requestId };
    ctx.type = 'application/problem+json';
  }
};
