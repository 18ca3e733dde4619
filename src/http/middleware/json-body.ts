import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import type { AppState } from '../app-state.js';
import { HttpProblem } from '../problem.js';

const withBody = new Set(['POST', 'PUT', 'PATCH']);

/**
 * JSON bodies only: anything else is 415, over the limit is 413, malformed is 400. `largerFor` gives some paths
 * (an import of a whole archive) a limit of their own.
 */
export function jsonBody(limitBytes: number, largerFor: Record<string, number> = {}): Middleware<AppState> {
  const parse = parser(limitBytes);
  const parsers = new Map(Object.entries(largerFor).map(([path, limit]) => [path, parser(limit)]));
  return async (ctx, next) => {
    if (withBody.has(ctx.method) && ctx.request.length !== 0 && hasBody(ctx.req.headers) && !ctx.is('json')) {
      throw new HttpProblem(415, 'unsupported-media-type', 'Send the body as application/json');
    }
    await (parsers.get(ctx.path) ?? parse)(ctx, next);
  };
}

const parser = (limitBytes: number) =>
  koaBody({
    json: true,
    jsonStrict: true,
    jsonLimit: limitBytes,
    urlencoded: false,
    text: false,
    multipart: false,
  });

const hasBody = (headers: Record<string, unknown>) =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
