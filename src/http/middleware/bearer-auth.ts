import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppState } from '../app-state.js';
import { HttpProblem } from '../problem.js';

const REALM = 'gpt-oss';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Every /api route needs `Authorization: Bearer <token>`. Digests of equal length are compared in constant time,
 * so neither the token's characters nor its length can be found by timing answers.
 */
export function bearerAuth(token: string): Middleware<AppState> {
  const expected = digest(token);
  return async (ctx, next) => {
    if (!/^\/api(\/|$)/.test(ctx.path)) return next();
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(ctx.get('Authorization'));
    if (!match) {
      throw new HttpProblem(
        401,
        'unauthorized',
        'This API needs an Authorization: Bearer <API_TOKEN> header',
        undefined,
        {
          'WWW-Authenticate': `Bearer realm="${REALM}"`,
        },
      );
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new HttpProblem(401, 'unauthorized', 'The bearer token is not valid', undefined, {
        'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"`,
      });
    }
    return next();
  };
}
