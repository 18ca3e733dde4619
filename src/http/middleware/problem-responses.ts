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
    if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) {
      const kind = ctx.status === 405 ? 'method-not-allowed' : 'not-implemented';
      const allowed = ctx.response.get('Allow');
      throw new HttpProblem(ctx.status, kind, `${ctx.method} is not supported on ${ctx.path}; allowed: ${allowed}`);
    }
  } catch (error) {
    const answer = toProblem(error, {
      ifMatchSent: Boolean(ctx.state.ifMatch),
      debug: ctx.state.services.config.debug,
    });
    if (answer.status >= 500) ctx.state.log.error({ err: error }, 'request failed');
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = { ...answer.body, request_id: ctx.state.requestId };
    ctx.type = 'application/problem+json';
  }
};
