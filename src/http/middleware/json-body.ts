import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import type { AppState } from '../app-state.js';
import { HttpProblem } from '../problem.js';

const withBody = new Set(['POST', 'PUT', 'PATCH']);

/** JSON bodies only: anything else is 415, over the limit is 413, malformed is 400. */
export function jsonBody(limitBytes: number): Middleware<AppState> {
  const parse = koaBody({
    json: true,
    jsonStrict: true,
    jsonLimit: limitBytes,
    urlencoded: false,
    text: false,
    multipart: false,
  });
  return async (ctx, next) => {
    if (withBody.has(ctx.method) && ctx.request.length !== 0 && hasBody(ctx.req.headers) && !ctx.is('json')) {
      throw new HttpProblem(415, 'unsupported-media-type', 'Send the body as application/json');
    }
    await parse(ctx, next);
  };
}

const hasBody = (headers: Record<string, unknown>) =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
