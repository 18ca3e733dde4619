import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import type { AppState } from '../app-state.js';
import { HttpProblem } from '../problem.js';

const withBody = new Set(['POST', 'PUT', 'PATCH']);

/** Paths whose bodies differ from the rest: a limit of their own, or multipart/form-data read by the route. */
export type BodyRule = { path: RegExp; limitBytes: number; multipart?: boolean };

/**
 * JSON bodies only, but where a rule lets a route read multipart itself: anything else is 415, over the limit is
 * 413, malformed is 400. A rule gives some paths (an import of a whole archive, a document) a limit of their own.
 */
export function jsonBody(limitBytes: number, rules: readonly BodyRule[] = []): Middleware<AppState> {
  const parse = parser(limitBytes);
  const ruled = rules.map((rule) => ({ ...rule, parse: parser(rule.limitBytes) }));
  return async (ctx, next) => {
    const rule = ruled.find((r) => r.path.test(ctx.path));
    if (withBody.has(ctx.method) && ctx.request.length !== 0 && hasBody(ctx.req.headers) && !ctx.is('json')) {
      if (rule?.multipart && ctx.is('multipart/form-data')) return next();
      const accepted = rule?.multipart ? 'application/json or multipart/form-data' : 'application/json';
      throw new HttpProblem(415, 'unsupported-media-type', `Send the body as ${accepted}`);
    }
    await (rule?.parse ?? parse)(ctx, next);
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
